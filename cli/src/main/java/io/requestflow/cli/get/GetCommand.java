package io.requestflow.cli.get;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.requestflow.engine.http.Json;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code ./flow get URL}: one request through the real path - the project's DNS, then edge, firewall,
 * balancer, gateway, service - printed with the client's timing and the hop-by-hop waterfall from
 * {@code Server-Timing}. Exit code 0 whenever an HTTP response arrived (4xx and 5xx included, so scripts
 * can read {@code --json}); {@value #EXIT_NO_RESPONSE} when there was none (DNS, connect, TLS, timeout).
 */
@Command(name = "get", mixinStandardHelpOptions = true, version = "requestflow-get 0.1",
        description = {
                "Send one HTTP request through the Requestflow path and show where the time went.",
                "Resolves the host with the project's DNS server (--dns; never the system resolver), sends the"
                        + " request, and prints the response, the client's timing (dns, connect, tls, time to"
                        + " first byte, total) and one line per hop from the Server-Timing header."},
        footer = {"", "Examples:",
                "  ./flow get http://shop.requestflow.test:8080/api/products/1",
                "  ./flow get -d '{\"sku\":\"B0-1\"}' http://shop.requestflow.test:8080/api/orders",
                "  ./flow get -X DELETE -H 'Authorization: Bearer TOKEN' http://127.0.0.1:8080/api/cart",
                "  ./flow get --json http://127.0.0.1:8080/healthz | jq .timings",
                "",
                "Exit codes: 0 an HTTP response arrived (any status), 2 usage error or no response"
                        + " (DNS, connect, TLS, timeout)."})
public final class GetCommand implements Callable<Integer> {
    /** No HTTP response: the lookup, connect or TLS failed, or the timeout passed. */
    public static final int EXIT_NO_RESPONSE = 3;

    @Spec
    CommandSpec spec;

    @Option(names = {"-X", "--request"}, paramLabel = "METHOD",
            description = "HTTP method (default GET, or POST with -d)")
    String method;

    @Option(names = {"-H", "--header"}, paramLabel = "'NAME: VALUE'",
            description = "request header, repeatable; replaces the default of the same name"
                    + " (Host, User-Agent, Accept)")
    List<String> headers = new ArrayList<>();

    @Option(names = {"-d", "--data"}, paramLabel = "BODY",
            description = "request body; @FILE reads it from a file. Content-Type defaults to application/json"
                    + " when the body is JSON, text/plain otherwise")
    String data;

    @Option(names = "--json", description = "print one JSON object (status, headers, body, timings, hops)")
    boolean json;

    @Option(names = "--dns", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:5353",
            description = "DNS server that resolves the URL's host (default: ${DEFAULT-VALUE})")
    String dns;

    @Option(names = "--from", paramLabel = "ADDRESS|REGION",
            description = "the client's own address for the DNS lookup and the connection, a loopback one such as"
                    + " 127.0.1.9: with the default dns.regions a client in eu-west (127.0.2.x us-east, 127.0.3.x"
                    + " ap-south), so GeoDNS answers and the WAN link (wan.enabled) treat it as one. A region name"
                    + " of the default dns.regions (eu-west, us-east, ap-south) stands for .9 in its range")
    String from;

    @Option(names = "--timeout", paramLabel = "MS", defaultValue = "10000",
            description = "bound on the whole request, lookup to last byte, in ms (default: ${DEFAULT-VALUE})")
    long timeoutMs;

    @Parameters(index = "0", paramLabel = "URL",
            description = "http:// or https:// URL; without a scheme, http:// is assumed")
    String url;

    public static void main(String[] args) {
        System.exit(new CommandLine(new GetCommand()).execute(args));
    }

    @Override
    public Integer call() {
        ProbeRequest request = request();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (HttpProbe probe = new HttpProbe()) {
            HttpProbe.warmUp();
            ProbeResult result = probe.call(request);
            out.print(json ? pretty(JsonReport.of(result)) + "\n" : TextReport.render(result));
            out.flush();
            return 0;
        } catch (ProbeException e) {
            if (json) {
                out.println(pretty(JsonReport.error(e, request.uri().toString())));
                out.flush();
            }
            err.println("get: " + e.getMessage());
            err.flush();
            return EXIT_NO_RESPONSE;
        }
    }

    /** The request the options describe; bad options become picocli usage errors. */
    ProbeRequest request() {
        try {
            List<HeaderField> fields = new ArrayList<>();
            for (String h : headers) fields.add(header(h));
            byte[] body = body();
            if (body.length > 0 && fields.stream().noneMatch(f -> f.name().equalsIgnoreCase("content-type"))) {
                fields.add(new HeaderField("Content-Type", Json.tree(body) != null
                        ? "application/json" : "text/plain; charset=utf-8"));
            }
            String m = method != null ? method : data != null ? "POST" : "GET";
            return new ProbeRequest(m, ProbeRequest.parseUrl(url), fields, body, dnsServer(dns), timeoutMs,
                    ProbeRequest.DEFAULT_MAX_RESPONSE_BYTES, source(from));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }

    /**
     * {@code --from}: an address of this machine (a loopback one is always), or a default region's name for
     * the address .9 in its range; null when not given.
     */
    private static InetAddress source(String text) {
        if (text == null) return null;
        InetAddress address = DnsLookup.literal(text.strip()).or(() -> DnsLookup.defaultRegionClient(text.strip()))
                .orElseThrow(() -> new IllegalArgumentException("--from '" + text + "' is neither an IP address"
                        + " (e.g. 127.0.1.9) nor a region of the default dns.regions (" + DnsLookup.defaultRegionNames() + ")"));
        try {
            if (address.isLoopbackAddress() || java.net.NetworkInterface.getByInetAddress(address) != null) return address;
        } catch (java.net.SocketException e) {
            // fall through: not usable
        }
        throw new IllegalArgumentException("--from " + text + " is not an address of this machine; use a loopback"
                + " one such as 127.0.1.9");
    }

    private static HeaderField header(String text) {
        int colon = text.indexOf(':');
        if (colon <= 0) throw new IllegalArgumentException("-H '" + text + "' is not 'Name: value'");
        return new HeaderField(text.substring(0, colon).trim(), text.substring(colon + 1).trim());
    }

    private byte[] body() {
        if (data == null) return new byte[0];
        if (data.startsWith("@") && data.length() > 1) {
            Path file = Path.of(data.substring(1));
            try {
                return Files.readAllBytes(file);
            } catch (IOException e) {
                throw new IllegalArgumentException("-d " + data + ": cannot read " + file + " (" + e + ")");
            }
        }
        return data.getBytes(StandardCharsets.UTF_8);
    }

    /** {@code HOST:PORT}, {@code [::1]:PORT}, or a bare host (port 53). */
    static InetSocketAddress dnsServer(String text) {
        String s = text.trim();
        String host = s;
        int port = 53;
        int colon = s.lastIndexOf(':');
        boolean bareV6 = s.indexOf(':') != colon; // "::1" without brackets has several colons
        if (colon > 0 && !bareV6 || s.startsWith("[") && s.contains("]:")) {
            host = s.substring(0, colon);
            try {
                port = Integer.parseInt(s.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--dns '" + text + "' is not HOST:PORT");
            }
        }
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        if (host.isEmpty() || port < 1 || port > 65535) {
            throw new IllegalArgumentException("--dns '" + text + "' is not HOST:PORT");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("--dns '" + text + "': unknown host " + host);
        }
    }

    private static String pretty(ObjectNode node) {
        try {
            return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot print JSON", e);
        }
    }
}
