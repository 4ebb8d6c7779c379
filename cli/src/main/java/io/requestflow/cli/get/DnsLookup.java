package io.requestflow.cli.get;

import io.netty.util.NetUtil;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * Resolves a host through the project's own DNS server (A, then AAAA when there is no A record), never the
 * system resolver, so what {@code ./flow get} reaches is what the dns hop says. IP literals and
 * {@code localhost} need no lookup.
 */
public final class DnsLookup {

    private DnsLookup() {}

    /** The address of an IP literal or {@code localhost}, which skip DNS; empty for a name to look up. */
    public static Optional<InetAddress> literal(String host) {
        try {
            if (host.equalsIgnoreCase("localhost") || host.equalsIgnoreCase("localhost.")) {
                return Optional.of(InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1}));
            }
            if (NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host)) {
                return Optional.of(InetAddress.getByAddress(NetUtil.createByteArrayFromIpAddressString(host)));
            }
        } catch (UnknownHostException e) {
            throw new IllegalStateException("a literal address cannot fail to parse", e);
        }
        return Optional.empty();
    }

    /** {@code text} as a loopback address literal (127.x.y.z, ::1), the client addresses a test machine has; else empty. */
    public static Optional<InetAddress> loopback(String text) {
        return text == null ? Optional.empty() : literal(text.strip()).filter(InetAddress::isLoopbackAddress);
    }

    /** The names {@link #defaultRegionClient} knows, for messages: "eu-west, us-east, ap-south". */
    public static String defaultRegionNames() {
        return String.join(", ", io.requestflow.dns.DnsConfig.DEFAULT_REGIONS.stream()
                .map(io.requestflow.dns.RegionConfig::name).toList());
    }

    /**
     * A client in a region of the default {@code dns.regions}, by the region's name (any case): host 9 of its
     * first range (eu-west: 127.0.1.9); empty for any other name.
     */
    public static Optional<InetAddress> defaultRegionClient(String name) {
        for (io.requestflow.dns.RegionConfig r : io.requestflow.dns.DnsConfig.DEFAULT_REGIONS) {
            if (!r.name().equalsIgnoreCase(name) || r.cidrs().isEmpty()) continue;
            String cidr = r.cidrs().getFirst();
            int slash = cidr.indexOf('/');
            if (slash < 0 || Integer.parseInt(cidr.substring(slash + 1)) > 24) continue;
            byte[] b = literal(cidr.substring(0, slash)).map(InetAddress::getAddress).orElse(null);
            if (b == null || b.length != 4) continue;
            b[3] = 9;
            try {
                return Optional.of(InetAddress.getByAddress(b));
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException(e); // four bytes are always an address
            }
        }
        return Optional.empty();
    }

    /**
     * Asks {@code server} for {@code host}; completes with the first address, or exceptionally with a
     * {@link ProbeException} of phase DNS that says what went wrong (NXDOMAIN, no record, no answer).
     */
    public static CompletableFuture<InetAddress> resolve(String host, InetSocketAddress server, long timeoutMs) {
        return resolve(host, server, timeoutMs, null);
    }

    /**
     * As {@link #resolve(String, InetSocketAddress, long)}, asking from {@code source} (null: the system's
     * choice), so a GeoDNS server answers as it would for a client at that address.
     */
    public static CompletableFuture<InetAddress> resolve(String host, InetSocketAddress server, long timeoutMs,
                                                         InetAddress source) {
        Name name;
        try {
            name = Name.fromString(host.endsWith(".") ? host : host + ".");
        } catch (TextParseException e) {
            return CompletableFuture.failedFuture(new ProbeException(ProbeException.Phase.DNS,
                    "'" + host + "' is not a valid host name: " + e.getMessage()));
        }
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        return query(name, Type.A, server, timeoutMs, source).thenCompose(a -> {
            Optional<InetAddress> found = firstAddress(a);
            if (found.isPresent()) return CompletableFuture.completedFuture(found.get());
            if (a.getRcode() != Rcode.NOERROR) throw new CompletionException(failed(host, server, a.getRcode()));
            long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
            return query(name, Type.AAAA, server, left, source).thenApply(aaaa -> firstAddress(aaaa).orElseThrow(() ->
                    new CompletionException(aaaa.getRcode() == Rcode.NOERROR
                            ? new ProbeException(ProbeException.Phase.DNS, host + " did not resolve via DNS "
                                    + HttpProbe.format(server) + " (no A or AAAA record). Is the name in the zone?")
                            : failed(host, server, aaaa.getRcode()))));
        }).exceptionallyCompose(error -> CompletableFuture.failedFuture(describe(error, host, server, timeoutMs)));
    }

    private static CompletableFuture<Message> query(Name name, int type, InetSocketAddress server, long timeoutMs,
                                                    InetAddress source) {
        SimpleResolver resolver = new SimpleResolver(server);
        if (source != null) resolver.setLocalAddress(new InetSocketAddress(source, 0));
        resolver.setTimeout(Duration.ofMillis(timeoutMs));
        Message query = Message.newQuery(Record.newRecord(name, type, DClass.IN));
        return resolver.sendAsync(query).toCompletableFuture();
    }

    private static Optional<InetAddress> firstAddress(Message answer) {
        if (answer.getRcode() != Rcode.NOERROR) return Optional.empty();
        for (Record r : answer.getSection(Section.ANSWER)) {
            if (r instanceof ARecord a) return Optional.of(withoutName(a.getAddress()));
            if (r instanceof AAAARecord aaaa) return Optional.of(withoutName(aaaa.getAddress()));
        }
        return Optional.empty();
    }

    private static InetAddress withoutName(InetAddress address) {
        try {
            return InetAddress.getByAddress(address.getAddress());
        } catch (UnknownHostException e) {
            return address;
        }
    }

    private static ProbeException failed(String host, InetSocketAddress server, int rcode) {
        String hint = switch (rcode) {
            case Rcode.NXDOMAIN -> " Is `./flow up` running?";
            case Rcode.REFUSED -> " That server only answers for its own zone.";
            default -> "";
        };
        return new ProbeException(ProbeException.Phase.DNS, host + " did not resolve via DNS "
                + HttpProbe.format(server) + " (" + Rcode.string(rcode) + ")." + hint);
    }

    private static ProbeException describe(Throwable error, String host, InetSocketAddress server, long timeoutMs) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof ProbeException p) return p;
        String dns = HttpProbe.format(server);
        if (e instanceof SocketTimeoutException || e instanceof TimeoutException) {
            return new ProbeException(ProbeException.Phase.DNS, true, "DNS " + dns + " did not answer for " + host
                    + " within " + timeoutMs + " ms. Is `./flow up` running? (--dns HOST:PORT picks another server)",
                    e);
        }
        String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (e instanceof PortUnreachableException || why.toLowerCase(Locale.ROOT).contains("refused")) {
            return new ProbeException(ProbeException.Phase.DNS, false, "nothing answers DNS on " + dns
                    + " (port unreachable). Is `./flow up` running? (--dns HOST:PORT picks another server)", e);
        }
        String kind = e instanceof IOException ? "" : e.getClass().getSimpleName() + ": ";
        return new ProbeException(ProbeException.Phase.DNS, false,
                "looking up " + host + " via DNS " + dns + " failed: " + kind + why, e);
    }
}
