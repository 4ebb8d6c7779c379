package io.requestflow.topology;

import io.requestflow.dns.DnsConfig;
import io.requestflow.engine.trace.ServerTiming;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The WAN link in front of the edge ({@code wan.enabled}), started by the same {@link Stack} as {@code up}:
 * a client's distance from the edge is the DNS latency table's round trip for its region, paid on the
 * wire (outside every hop's own time), and the edge and firewall still see the client's own address. With
 * the origin in another region, an edge cache miss also crosses the link between the two; a hit does not.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WanLinkTest {
    static final String HOST = "shop.requestflow.test";

    @TempDir
    static Path dataDir;
    static Stack stack;

    @BeforeAll
    static void up() {
        Topology t = new Topology().ephemeral();
        t.catalogProducts = 100;
        t.wan.enabled = true; // edge in dns.defaultRegion (us-east); eu-west is 80 ms away, us-east 10
        t.wan.originRegion = "eu-west"; // the firewall and all behind it: 80 ms from the edge
        t.wan.edges = List.of(new Topology.RegionalEdge("ap-south", "127.0.13.1")); // 120 ms from the origin
        t.firewall.deny = List.of("127.0.0.2/32");
        t.queue.enabled = false;
        t.console.enabled = false;
        t.data.replicas = t.data.replicas.withCount(0);
        t.services.auth.argon2MemoryKib = 1_024;
        t.services.auth.argon2Iterations = 1;
        stack = Stack.start(t, dataDir, line -> {});
    }

    @AfterAll
    static void down() {
        if (stack != null) stack.close();
    }

    @Test
    void aFarClientPaysItsRoundTripsOnTheWireNotInTheHops() throws IOException {
        // a new connection's first answer: the handshake's round trip and the request's, 2 x 80 ms from eu-west
        assertThat(wireMs("127.0.1.7")).isGreaterThanOrEqualTo(2 * 80 - 1);
        assertThat(wireMs("127.0.2.7")).isGreaterThanOrEqualTo(2 * 10 - 1);
        assertThat(stack.frontDoor().getPort()).isNotEqualTo(stack.hop("edge").address().getPort());
    }

    @Test
    void anEdgeMissCrossesTheOriginLinkAndAHitDoesNot() throws IOException {
        String path = "/api/products/5";
        Map<String, Double> miss = hopMs(path);
        assertThat(miss.get("edge") - miss.get("firewall")).as("edge minus firewall on a miss, ms: %s", miss)
                .isGreaterThanOrEqualTo(80 - 1);
        Map<String, Double> hit = hopMs(path);
        assertThat(hit).as("a hit is answered by the edge alone").containsOnlyKeys("edge");
        assertThat(hit.get("edge")).isLessThan(80);
    }

    @Test
    void geoDnsSendsEachClientToItsNearestEdgeWhichServesItFromItsOwnCache() throws IOException {
        assertThat(resolveFrom("127.0.3.7")).isEqualTo("127.0.13.1"); // ap-south: its own edge, 10 ms
        assertThat(resolveFrom("127.0.1.7")).isEqualTo("127.0.0.1");  // eu-west: us-east (80 ms) beats ap-south (120)
        assertThat(resolveFrom("127.0.2.7")).isEqualTo("127.0.0.1");  // us-east: its own

        java.net.InetSocketAddress apEdge = new java.net.InetSocketAddress("127.0.13.1", stack.frontDoor().getPort());
        String path = "/api/products/9";
        RawHttp.Reply miss = RawHttp.send("127.0.3.7", apEdge, "GET", path, HOST + ":" + apEdge.getPort(), Map.of(), null);
        assertThat(miss.status()).isEqualTo(200);
        Map<String, Double> hops = durations(miss);
        // the ap-south edge's miss crosses its own origin link, ap-south to eu-west: 120 ms
        assertThat(hops.get("edge") - hops.get("firewall")).as("edge minus firewall, ms: %s", hops)
                .isGreaterThanOrEqualTo(120 - 1);
        RawHttp.Reply hit = RawHttp.send("127.0.3.7", apEdge, "GET", path, HOST + ":" + apEdge.getPort(), Map.of(), null);
        assertThat(durations(hit)).containsOnlyKeys("edge");
        // the main edge has not seen that product: its own cache, a miss there
        assertThat(durations(RawHttp.send("127.0.2.7", stack.frontDoor(), "GET", path,
                HOST + ":" + stack.frontDoor().getPort(), Map.of(), null))).containsKey("firewall");
    }

    @Test
    void aPurgeAtTheFirstEdgeReachesTheEdgesStartedBesideIt() throws Exception {
        java.net.InetSocketAddress apEdge = new java.net.InetSocketAddress("127.0.13.1", stack.frontDoor().getPort());
        String path = "/api/products/11";
        String host = HOST + ":" + apEdge.getPort();
        assertThat(RawHttp.send("127.0.3.7", apEdge, "GET", path, host, Map.of(), null).status()).isEqualTo(200);
        assertThat(durations(RawHttp.send("127.0.3.7", apEdge, "GET", path, host, Map.of(), null)))
                .as("kept at the ap-south edge").containsOnlyKeys("edge");

        var firstAdmin = stack.hop("edge").adminAddress();
        var client = java.net.http.HttpClient.newBuilder().connectTimeout(java.time.Duration.ofSeconds(5)).build();
        var purged = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
                        + firstAdmin.getPort() + "/cache/purge?url=http://" + HOST + path))
                .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).timeout(java.time.Duration.ofSeconds(5)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        String apAdmin = "127.0.0.1:" + stack.hop("edge-ap-south").adminAddress().getPort();
        assertThat(purged.statusCode()).as(purged.body()).isEqualTo(200);
        assertThat(purged.body()).contains("\"" + apAdmin + "\":\"ok\"");
        assertThat(durations(RawHttp.send("127.0.3.7", apEdge, "GET", path, host, Map.of(), null)))
                .as("purged at the ap-south edge too: a miss").containsKey("firewall");
    }

    @Test
    void theLoadGeneratorsClientsEachReachTheEdgeTheirOwnLookupNames() throws Exception {
        io.requestflow.cli.load.Scenario s = io.requestflow.cli.load.Scenario.defaults();
        s.target = "http://" + HOST + ":" + stack.frontDoor().getPort();
        s.dns = "127.0.0.1:" + stack.dns().server().address().getPort();
        s.rate = 20;
        s.durationSeconds = 1;
        s.warmupSeconds = 0;
        s.newConnectionShare = 0; // pooled connections only: they go where each source's own lookup said
        s.regions = List.of(new io.requestflow.cli.load.Scenario.Region("ap-south", 3, 1, 1));
        s.endpoints = List.of(new io.requestflow.cli.load.Scenario.Endpoint("image", 1, "GET",
                "/images/products/{product}.svg", null, false));
        double before = requestsAt("edge-ap-south");
        var result = new io.requestflow.cli.load.LoadRun(s, null, null).run();
        assertThat(result.snapshot().errorCount()).isZero();
        assertThat(requestsAt("edge-ap-south") - before).isGreaterThanOrEqualTo(result.snapshot().count());
    }

    /** Requests an edge instance has answered, from its admin /metrics. */
    private static double requestsAt(String edge) throws Exception {
        var admin = stack.hop(edge).adminAddress();
        var client = java.net.http.HttpClient.newBuilder().connectTimeout(java.time.Duration.ofSeconds(5)).build();
        String metrics = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
                        + admin.getPort() + "/metrics")).timeout(java.time.Duration.ofSeconds(5)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        return metrics.lines().filter(l -> l.startsWith("requestflow_requests_seconds_count"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    @Test
    void theFirewallStillSeesTheClientsOwnAddressBehindTheLink() throws IOException {
        RawHttp.Reply denied = RawHttp.send("127.0.0.2", stack.frontDoor(), "GET", "/api/products/1",
                HOST + ":" + stack.frontDoor().getPort(), Map.of(), null);
        assertThat(denied.status()).isEqualTo(403);
        RawHttp.Reply allowed = RawHttp.send("127.0.0.3", stack.frontDoor(), "GET", "/api/products/1",
                HOST + ":" + stack.frontDoor().getPort(), Map.of(), null);
        assertThat(allowed.status()).isEqualTo(200);
    }

    @Test
    void aClientsDistanceComesFromTheDnsRegionsAndLatencyTable() throws IOException {
        WanDelays delays = new WanDelays(DnsConfig.defaults(), null, null);
        assertThat(delays.edgeRegion()).isEqualTo("us-east");
        assertThat(delays.roundTripMs(InetAddress.getByName("127.0.1.9"))).isEqualTo(80);   // eu-west
        assertThat(delays.roundTripMs(InetAddress.getByName("127.0.3.9"))).isEqualTo(200);  // ap-south
        assertThat(delays.roundTripMs(InetAddress.getByName("127.0.0.1"))).isEqualTo(10);   // no range: default region
        assertThat(delays.originFar()).isFalse(); // no origin region: it stands with the edge
        WanDelays apart = new WanDelays(DnsConfig.defaults(), "eu-west", "ap-south");
        assertThat(apart.roundTripMs(InetAddress.getByName("127.0.3.9"))).isEqualTo(120);
        assertThat(apart.originFar()).isTrue();
        assertThat(apart.originRoundTripMs()).isEqualTo(120);
        assertThatThrownBy(() -> new WanDelays(DnsConfig.defaults(), "mars", null))
                .hasMessageContaining("wan.edgeRegion 'mars'").hasMessageContaining("eu-west");
        assertThatThrownBy(() -> new WanDelays(DnsConfig.defaults(), null, "moon"))
                .hasMessageContaining("wan.originRegion 'moon'");
    }

    /** Each hop's own Server-Timing duration for one GET from a us-east client. */
    private static Map<String, Double> hopMs(String path) throws IOException {
        RawHttp.Reply reply = RawHttp.send("127.0.2.8", stack.frontDoor(), "GET", path,
                HOST + ":" + stack.frontDoor().getPort(), Map.of(), null);
        assertThat(reply.status()).isEqualTo(200);
        return durations(reply);
    }

    /** What the shop's name resolves to for a client at {@code source}, asked from there. */
    private static String resolveFrom(String source) throws IOException {
        org.xbill.DNS.SimpleResolver resolver = new org.xbill.DNS.SimpleResolver(stack.dns().server().address());
        resolver.setLocalAddress(new java.net.InetSocketAddress(source, 0));
        resolver.setTimeout(java.time.Duration.ofSeconds(5));
        org.xbill.DNS.Message answer = resolver.send(org.xbill.DNS.Message.newQuery(org.xbill.DNS.Record.newRecord(
                org.xbill.DNS.Name.fromString(HOST + "."), org.xbill.DNS.Type.A, org.xbill.DNS.DClass.IN)));
        return ((org.xbill.DNS.ARecord) answer.getSection(org.xbill.DNS.Section.ANSWER).getFirst()).getAddress()
                .getHostAddress();
    }

    private static Map<String, Double> durations(RawHttp.Reply reply) {
        Map<String, Double> hops = new java.util.LinkedHashMap<>();
        for (ServerTiming.Entry e : ServerTiming.parse(reply.header("server-timing"))) {
            if (e.by() == null) hops.putIfAbsent(e.name(), e.durMs());
        }
        return hops;
    }

    /** One request over a new connection from {@code source}: its time from connect to the last byte, less the edge's own. */
    private static double wireMs(String source) throws IOException {
        long t0 = System.nanoTime();
        RawHttp.Reply reply = RawHttp.send(source, stack.frontDoor(), "GET", "/api/products/2",
                HOST + ":" + stack.frontDoor().getPort(), Map.of(), null);
        double totalMs = (System.nanoTime() - t0) / 1e6;
        assertThat(reply.status()).isEqualTo(200);
        double edgeMs = ServerTiming.parse(reply.header("server-timing")).stream()
                .filter(e -> e.name().equals("edge")).findFirst().orElseThrow().durMs();
        return totalMs - edgeMs;
    }
}
