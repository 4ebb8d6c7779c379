package io.requestflow.topology;

import com.fasterxml.jackson.databind.JsonNode;
import io.requestflow.balancer.BalancerConfig;
import io.requestflow.engine.http.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console as {@code up} serves it, over real sockets against a running {@link Stack}: the path's state,
 * a request sent through the edge with its waterfall and trace, faults set and ended, bad input, who may use
 * it, and the page itself driven in headless Chromium.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ConsoleTest {
    /** Set by .ci/run: the browser test must run there rather than be skipped for want of Chromium. */
    static final boolean BROWSER_REQUIRED = "required".equals(System.getenv("REQUESTFLOW_BROWSER_TESTS"));

    @TempDir
    static Path dataDir;
    static Stack stack;
    static InetSocketAddress console;

    @BeforeAll
    static void up() {
        Topology t = new Topology().ephemeral();
        t.catalogProducts = 100;
        t.queue.enabled = false; // the console reads what runs; Kafka adds nothing to prove here
        t.data.replicas = t.data.replicas.withCount(0);
        t.balancer.healthCheck = new BalancerConfig.HealthCheck(200, 500, 1, 1);
        t.services.auth.argon2MemoryKib = 1_024;
        t.services.auth.argon2Iterations = 1;
        t.services.page.inventoryTimeoutMs = 3_000;
        t.services.page.reviewsTimeoutMs = 3_000;
        t.services.page.recommendationsTimeoutMs = 3_000;
        stack = Stack.start(t, dataDir, line -> {});
        console = stack.console().address();
    }

    @AfterAll
    static void down() {
        if (stack != null) stack.close();
    }

    static RawHttp.Reply call(String method, String path, String json, Map<String, String> headers) throws IOException {
        Map<String, String> all = new java.util.LinkedHashMap<>(headers);
        if (json != null) all.putIfAbsent("Content-Type", "application/json");
        return RawHttp.send("127.0.0.1", console, method, path, "127.0.0.1:" + console.getPort(), all,
                json == null ? null : json.getBytes(StandardCharsets.UTF_8));
    }

    static JsonNode json(RawHttp.Reply reply) {
        return Json.tree(reply.body().getBytes(StandardCharsets.UTF_8));
    }

    static JsonNode instance(JsonNode path, String name) {
        for (JsonNode i : path.get("instances")) if (i.get("name").asText().equals(name)) return i;
        throw new AssertionError("no instance " + name + " in " + path);
    }

    @Test
    void thePathListsEveryInstanceInPathOrderWithItsReadiness() throws IOException {
        RawHttp.Reply reply = call("GET", "/api/path", null, Map.of());
        assertThat(reply.status()).isEqualTo(200);
        JsonNode path = json(reply);
        List<String> names = new ArrayList<>();
        path.get("instances").forEach(i -> names.add(i.get("name").asText()));
        assertThat(names).containsExactly("dns-1", "edge-1", "firewall-1", "balancer-1", "gateway-1", "gateway-2",
                "auth-1", "catalog-1", "inventory-1", "reviews-1", "recommendations-1", "orders-1", "page-1");
        path.get("instances").forEach(i -> assertThat(i.get("state").asText()).as(i.toString()).isEqualTo("ready"));
        assertThat(path.get("stores").get("redis").asText()).isEqualTo("ok");
        assertThat(path.get("edge").asText()).startsWith("http://shop.requestflow.test:");
    }

    @Test
    void aRequestFromTheConsoleCrossesEveryHopAndItsTraceHoldsTheirSpans() throws IOException {
        RawHttp.Reply reply = call("POST", "/api/request", "{\"path\": \"/api/products/7\"}", Map.of());
        assertThat(reply.status()).isEqualTo(200);
        JsonNode result = json(reply);
        assertThat(result.get("status").asInt()).isEqualTo(200);
        assertThat(result.get("json").get("id").asLong()).isEqualTo(7);
        List<String> hops = new ArrayList<>();
        result.get("hops").forEach(h -> hops.add(h.get("name").asText()));
        assertThat(hops).containsSubsequence("edge", "firewall", "balancer", "gateway", "catalog");
        String traceId = result.get("traceId").asText();
        assertThat(traceId).matches("[0-9a-f]{32}");
        // sent as a client elsewhere: the lookup and the connection leave from that address
        JsonNode far = json(call("POST", "/api/request", "{\"path\": \"/api/products/7\", \"from\": \"127.0.1.9\"}",
                Map.of()));
        assertThat(far.get("status").asInt()).isEqualTo(200);
        assertThat(far.get("source").asText()).isEqualTo("127.0.1.9");
        JsonNode byRegion = json(call("POST", "/api/request", "{\"path\": \"/api/products/7\", \"from\": \"ap-south\"}",
                Map.of()));
        assertThat(byRegion.get("status").asInt()).isEqualTo(200);
        assertThat(byRegion.get("source").asText()).as("a region's name stands for .9 in its range").isEqualTo("127.0.3.9");

        JsonNode trace = json(call("GET", "/api/traces/" + traceId, null, Map.of()));
        List<String> services = new ArrayList<>();
        trace.get("spans").forEach(s -> services.add(s.get("service").asText()));
        assertThat(services).contains("edge", "firewall", "balancer", "gateway", "catalog");
    }

    @Test
    void aFaultSetFromTheConsoleReachesTheInstanceAndHealingEndsIt() throws IOException, InterruptedException {
        RawHttp.Reply set = call("POST", "/api/faults",
                "{\"instance\": \"gateway-2\", \"unready\": true, \"forSeconds\": 60}", Map.of());
        assertThat(set.status()).as(set.body()).isEqualTo(200);
        JsonNode broken = instance(json(call("GET", "/api/path", null, Map.of())), "gateway-2");
        assertThat(broken.get("state").asText()).isEqualTo("not ready");
        assertThat(broken.get("fault").get("unready").asBoolean()).isTrue();
        // the balancer sees it too: its health check takes gateway-2 out
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        boolean out = false;
        while (!out && System.nanoTime() < deadline) {
            for (JsonNode target : json(call("GET", "/api/targets", null, Map.of()))) {
                if (target.get("name").asText().equals("gateway-2")) out = !target.get("healthy").asBoolean();
            }
            if (!out) Thread.sleep(100);
        }
        assertThat(out).as("the balancer took gateway-2 out").isTrue();

        assertThat(call("DELETE", "/api/faults?instance=gateway-2", null, Map.of()).status()).isEqualTo(200);
        JsonNode healed = instance(json(call("GET", "/api/path", null, Map.of())), "gateway-2");
        assertThat(healed.get("state").asText()).isEqualTo("ready");
        assertThat(healed.get("fault").isNull()).isTrue();
    }

    @Test
    void dnsBrokenFromTheConsoleFailsTheLookupAndHealingEndsIt() throws IOException {
        RawHttp.Reply set = call("POST", "/api/faults", "{\"instance\": \"dns-1\", \"errorStatus\": 503, \"forSeconds\": 60}",
                Map.of());
        assertThat(set.status()).as(set.body()).isEqualTo(200);
        try {
            RawHttp.Reply failed = call("POST", "/api/request", "{\"path\": \"/api/products/8\"}", Map.of());
            assertThat(failed.status()).isEqualTo(502);
            JsonNode problem = json(failed);
            assertThat(problem.get("phase").asText()).isEqualTo("dns");
            assertThat(problem.get("detail").asText()).contains("SERVFAIL");
        } finally {
            assertThat(call("DELETE", "/api/faults?instance=dns-1", null, Map.of()).status()).isEqualTo(200);
        }
        RawHttp.Reply answered = call("POST", "/api/request", "{\"path\": \"/api/products/8\"}", Map.of());
        assertThat(json(answered).get("status").asInt()).isEqualTo(200);
    }

    @Test
    void trafficStartedFromTheConsoleIsAnsweredAndShowsInEachHopsRates() throws Exception {
        RawHttp.Reply started = call("POST", "/api/traffic", "{\"rate\": 40, \"seconds\": 20}", Map.of());
        assertThat(started.status()).as(started.body()).isEqualTo(202);
        try {
            assertThat(call("POST", "/api/traffic", "{\"rate\": 40, \"seconds\": 20}", Map.of()).status())
                    .as("one run at a time").isEqualTo(409);
            call("GET", "/api/path", null, Map.of()); // the first look: rates need two
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            JsonNode edge = null;
            JsonNode traffic = null;
            while (System.nanoTime() < deadline) {
                Thread.sleep(1_100);
                edge = instance(json(call("GET", "/api/path", null, Map.of())), "edge-1").get("traffic");
                traffic = json(call("GET", "/api/traffic", null, Map.of()));
                if (edge != null && !edge.isNull() && edge.get("perSecond").asDouble() > 0
                        && traffic.at("/last/ok").asInt() > 0) break;
            }
            assertThat(traffic.get("running").asBoolean()).isTrue();
            assertThat(traffic.at("/last/ok").asInt()).as(traffic.toString()).isPositive();
            assertThat(traffic.at("/last/p99Ms").asDouble()).isPositive();
            assertThat(edge.get("perSecond").asDouble()).as("the edge's own count, from its /metrics").isPositive();
            assertThat(edge.get("p99Ms").asDouble()).isPositive();
        } finally {
            assertThat(call("DELETE", "/api/traffic", null, Map.of()).status()).isEqualTo(200);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (json(call("GET", "/api/traffic", null, Map.of())).get("running").asBoolean()) {
            assertThat(System.nanoTime()).as("stopped within 10 s").isLessThan(deadline);
            Thread.sleep(100);
        }
        assertThat(call("POST", "/api/traffic", "{\"rate\": 100000, \"seconds\": 5}", Map.of()).status()).isEqualTo(400);
    }

    @Test
    void badInputGetsAProblemThatSaysWhatToSend() throws IOException {
        RawHttp.Reply notAPath = call("POST", "/api/request", "{\"path\": \"api/products\"}", Map.of());
        assertThat(notAPath.status()).isEqualTo(400);
        assertThat(notAPath.header("content-type")).startsWith("application/problem+json");
        assertThat(json(notAPath).get("detail").asText()).contains("must start with a single /");

        RawHttp.Reply badFrom = call("POST", "/api/request", "{\"path\": \"/api/products/1\", \"from\": \"10.0.0.1\"}",
                Map.of());
        assertThat(badFrom.status()).isEqualTo(400);
        assertThat(json(badFrom).get("detail").asText()).contains("from must be a loopback address")
                .contains("eu-west, us-east, ap-south");

        RawHttp.Reply notJson = call("POST", "/api/request", "GET /", Map.of());
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(json(notJson).get("detail").asText()).contains("send a JSON object");

        RawHttp.Reply unknown = call("POST", "/api/faults", "{\"instance\": \"gateway-9\", \"errorStatus\": 503}", Map.of());
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(json(unknown).get("detail").asText()).contains("gateway-9").contains("gateway-2").contains("redis");

        RawHttp.Reply nothing = call("POST", "/api/faults", "{\"instance\": \"catalog-1\"}", Map.of());
        assertThat(nothing.status()).isEqualTo(400);
        assertThat(json(nothing).get("detail").asText()).contains("say what to break");

        RawHttp.Reply refusedByTheHop = call("POST", "/api/faults", "{\"instance\": \"catalog-1\", \"errorStatus\": 200}", Map.of());
        assertThat(refusedByTheHop.status()).as("the instance's own check, passed on").isEqualTo(400);

        assertThat(call("GET", "/api/traces/not-a-trace", null, Map.of()).status()).isEqualTo(400);
        assertThat(call("GET", "/api/nothing", null, Map.of()).status()).isEqualTo(404);
        assertThat(call("GET", "/nothing.html", null, Map.of()).status()).isEqualTo(404);
    }

    @Test
    void onlyLoopbackNamesAndTheConsolesOwnPageMayUseIt() throws IOException {
        RawHttp.Reply page = call("GET", "/", null, Map.of());
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.header("content-security-policy")).contains("default-src 'self'");
        assertThat(page.body()).contains("<script src=\"/console.js\"");

        // a page elsewhere that points a name at 127.0.0.1 (DNS rebinding) is not the console's page
        RawHttp.Reply rebound = RawHttp.send("127.0.0.1", console, "GET", "/api/path", "attacker.example:" + console.getPort(),
                Map.of(), null);
        assertThat(rebound.status()).isEqualTo(421);
        // another origin's page cannot break things through the user's browser
        RawHttp.Reply crossOrigin = call("POST", "/api/faults", "{\"instance\": \"catalog-1\", \"errorStatus\": 503}",
                Map.of("Origin", "http://attacker.example"));
        assertThat(crossOrigin.status()).isEqualTo(403);
        assertThat(instance(json(call("GET", "/api/path", null, Map.of())), "catalog-1").get("fault").isNull()).isTrue();
    }

    @Test
    void thePageDrivenInHeadlessChromiumShowsTheRequestItsTraceAndAFaultHealed() throws Exception {
        Path script = browserScript();
        Path chromium = Path.of("/usr/bin/chromium");
        boolean ready = Files.isExecutable(chromium) && Files.isDirectory(script.resolveSibling("node_modules/playwright-core"))
                && onPath("node");
        if (!BROWSER_REQUIRED) {
            Assumptions.assumeTrue(ready, "needs node, Debian's chromium and `npm ci` in cli/src/test/browser"
                    + " (.ci/run installs them)");
        }
        assertThat(ready).as("REQUESTFLOW_BROWSER_TESTS=required but node, chromium or playwright-core is missing").isTrue();
        Process node = new ProcessBuilder("node", script.toString(), "http://127.0.0.1:" + console.getPort() + "/",
                chromium.toString()).redirectErrorStream(true).start();
        boolean ended = node.waitFor(90, TimeUnit.SECONDS);
        if (!ended) node.destroyForcibly();
        String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(ended).as("the browser test ended within 90 s:\n" + output).isTrue();
        assertThat(node.exitValue()).as(output).isZero();
        assertThat(output).contains("console OK");
    }

    /** cli/src/test/browser/console.test.mjs, found from the module directory Maven runs tests in. */
    static Path browserScript() {
        Path fromModule = Path.of("src/test/browser/console.test.mjs").toAbsolutePath();
        return Files.exists(fromModule) ? fromModule : Path.of("cli/src/test/browser/console.test.mjs").toAbsolutePath();
    }

    static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, command))) return true;
        }
        return false;
    }
}
