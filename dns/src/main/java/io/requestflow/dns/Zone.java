package io.requestflow.dns;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Address;
import org.xbill.DNS.DClass;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * One authoritative zone held in memory, and the answer to a question about it.
 *
 * <p>Immutable once built, so any number of event-loop threads may look up at once. It decides only what
 * the zone says (records, NXDOMAIN, NODATA, REFUSED); the wire protocol around it is {@link DnsResponder}'s.
 */
public final class Zone {

    // SOA timers for secondaries; nothing transfers this zone today, but resolvers and tools read them.
    static final long REFRESH_SECONDS = 3600;
    static final long RETRY_SECONDS = 600;
    static final long EXPIRE_SECONDS = 604800;

    private final Name origin;
    private final SOARecord soa;
    private final SOARecord negativeSoa;
    /** Owner name (lower case) → type → records. An empty inner map is an empty non-terminal. */
    private final Map<Name, Map<Integer, List<Record>>> nodes;

    private Zone(Name origin, SOARecord soa, SOARecord negativeSoa, Map<Name, Map<Integer, List<Record>>> nodes) {
        this.origin = origin;
        this.soa = soa;
        this.negativeSoa = negativeSoa;
        this.nodes = nodes;
    }

    /**
     * Builds the zone from config: SOA and NS at the apex, the name server's glue address, then the configured
     * records. The glue is the listen address, since that is where this server answers.
     *
     * @throws IllegalArgumentException naming the offending field when a name or address is invalid
     */
    public static Zone from(DnsConfig config) {
        Name origin = absolute(config.zone(), "dns.zone");
        long ttl = config.ttlSeconds();
        Name ns = child("ns1", origin);
        long serial = Instant.now().getEpochSecond() & 0xFFFF_FFFFL; // "unixtime" serial: grows on every rebuild
        SOARecord soa = new SOARecord(origin, DClass.IN, ttl, ns, child("hostmaster", origin), serial,
                REFRESH_SECONDS, RETRY_SECONDS, EXPIRE_SECONDS, config.negativeTtlSeconds());
        // RFC 2308 §3: resolvers cache a negative answer for min(SOA TTL, SOA minimum); send that as the TTL.
        SOARecord negativeSoa = new SOARecord(origin, DClass.IN, Math.min(ttl, config.negativeTtlSeconds()),
                soa.getHost(), soa.getAdmin(), serial, REFRESH_SECONDS, RETRY_SECONDS, EXPIRE_SECONDS,
                config.negativeTtlSeconds());

        Map<Name, Map<Integer, List<Record>>> nodes = new HashMap<>();
        add(nodes, origin, origin, soa);
        add(nodes, origin, origin, new NSRecord(origin, DClass.IN, ttl, ns));

        boolean nsConfigured = false;
        for (Map.Entry<String, List<String>> entry : config.records().entrySet()) {
            String field = "dns.records." + entry.getKey();
            Name owner = owner(entry.getKey(), origin, field);
            nsConfigured |= owner.equals(ns);
            for (String address : entry.getValue()) {
                add(nodes, origin, owner, addressRecord(owner, ttl, address, field));
            }
        }
        if (!nsConfigured) {
            add(nodes, origin, ns, addressRecord(ns, ttl, glueAddress(config.host()), "dns.host"));
        }
        nodes.replaceAll((name, types) -> {
            Map<Integer, List<Record>> frozen = new HashMap<>();
            // An RRset holds each record once (RFC 2181 §5), however often the config lists it.
            types.forEach((type, records) -> frozen.put(type, records.stream().distinct().toList()));
            return Map.copyOf(frozen);
        });
        return new Zone(origin, soa, negativeSoa, Map.copyOf(nodes));
    }

    public Name origin() {
        return origin;
    }

    public SOARecord soa() {
        return soa;
    }

    /**
     * What the zone says about one question. Owner names in the answer take the question's spelling, so a
     * resolver that randomises case (DNS 0x20) sees its own name back.
     */
    public Answer lookup(Name qname, int qtype) {
        if (!qname.subdomain(origin)) {
            return new Answer(Rcode.REFUSED, false, List.of(), List.of(), List.of());
        }
        Map<Integer, List<Record>> node = nodes.get(qname.canonicalize());
        if (node == null) {
            return new Answer(Rcode.NXDOMAIN, true, List.of(), List.of(negativeSoa), List.of());
        }
        List<Record> found = new ArrayList<>();
        if (qtype == Type.ANY) {
            node.values().forEach(found::addAll);
        } else {
            found.addAll(node.getOrDefault(qtype, List.of()));
        }
        if (found.isEmpty()) {
            return new Answer(Rcode.NOERROR, true, List.of(), List.of(negativeSoa), List.of());
        }
        List<Record> answer = new ArrayList<>(found.size());
        List<Record> additional = new ArrayList<>();
        for (Record record : found) {
            answer.add(record.withName(qname));
            if (record instanceof NSRecord nsRecord) {
                additional.addAll(glue(nsRecord.getTarget()));
            }
        }
        return new Answer(Rcode.NOERROR, true, answer, List.of(), additional);
    }

    /** A name server's in-zone addresses, so the resolver need not ask again for them. */
    private List<Record> glue(Name target) {
        Map<Integer, List<Record>> node = nodes.getOrDefault(target.canonicalize(), Map.of());
        List<Record> glue = new ArrayList<>(node.getOrDefault(Type.A, List.of()));
        glue.addAll(node.getOrDefault(Type.AAAA, List.of()));
        return glue;
    }

    private static void add(Map<Name, Map<Integer, List<Record>>> nodes, Name origin, Name owner, Record record) {
        Name key = owner.canonicalize();
        nodes.computeIfAbsent(key, k -> new HashMap<>())
                .computeIfAbsent(record.getType(), k -> new ArrayList<>())
                .add(record);
        // Names between the owner and the apex exist even without records (RFC 8020: NODATA, not NXDOMAIN).
        for (int strip = 1; strip < key.labels() - origin.labels(); strip++) {
            nodes.computeIfAbsent(new Name(key, strip), k -> new HashMap<>());
        }
    }

    private static Record addressRecord(Name owner, long ttl, String address, String field) {
        byte[] v4 = Address.toByteArray(address.strip(), Address.IPv4);
        if (v4 != null) {
            return new ARecord(owner, DClass.IN, ttl, v4);
        }
        byte[] v6 = Address.toByteArray(address.strip(), Address.IPv6);
        if (v6 != null) {
            return new AAAARecord(owner, DClass.IN, ttl, v6);
        }
        throw new IllegalArgumentException(field + ": '" + address + "' is not an IPv4 or IPv6 address");
    }

    /** The glue address: the listen host, or loopback when listening on every interface (no one address fits). */
    private static String glueAddress(String host) {
        try {
            InetAddress address = InetAddress.getByName(host);
            if (address.isAnyLocalAddress()) {
                return InetAddress.getLoopbackAddress().getHostAddress();
            }
            return address.getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("dns.host: cannot resolve '" + host + "'", e);
        }
    }

    private static Name owner(String text, Name origin, String field) {
        String name = text.strip();
        if (name.equals("@") || name.isEmpty()) {
            return origin;
        }
        String lower = name.toLowerCase(Locale.ROOT);
        String zone = origin.toString(true).toLowerCase(Locale.ROOT);
        if (!name.endsWith(".") && (lower.equals(zone) || lower.endsWith("." + zone))) {
            name = name + ".";
        }
        Name owner;
        try {
            owner = Name.fromString(name, origin);
        } catch (TextParseException e) {
            throw new IllegalArgumentException(field + ": not a valid DNS name (" + e.getMessage() + ")", e);
        }
        if (!owner.subdomain(origin)) {
            throw new IllegalArgumentException(field + ": " + owner + " is outside the zone " + origin);
        }
        return owner;
    }

    private static Name absolute(String text, String field) {
        try {
            return Name.fromString(text.endsWith(".") ? text : text + ".");
        } catch (TextParseException e) {
            throw new IllegalArgumentException(field + ": '" + text + "' is not a valid DNS name", e);
        }
    }

    private static Name child(String label, Name origin) {
        try {
            return Name.fromString(label, origin);
        } catch (TextParseException e) {
            throw new IllegalArgumentException("dns.zone: " + origin + " is too long for " + label, e);
        }
    }

    /**
     * The zone's verdict on one question.
     *
     * @param rcode         NOERROR (answer or NODATA), NXDOMAIN, or REFUSED for a name outside the zone
     * @param authoritative whether the AA flag belongs on the response
     * @param answer        records for the answer section
     * @param authority     the SOA on a negative answer, so resolvers know how long to cache it
     * @param additional    glue addresses for NS answers
     */
    public record Answer(int rcode, boolean authoritative, List<Record> answer, List<Record> authority,
                         List<Record> additional) {}
}
