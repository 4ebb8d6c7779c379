package io.requestflow.cli.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.requestflow.topology.Stack;
import io.requestflow.topology.Topology;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ./flow load} and {@code ./flow bench} against the real path ({@link Stack}, as {@code ./flow up}
 * starts it, on free ports): the name resolved by the dns hop, every hop in Server-Timing, Redis hits
 * counted, endpoints that do not exist yet reported as 404, and every step of the bench suite answered.
 * Figures are not asserted: speed is for benchmarks.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class WholePathLoadTest {
    @TempDir
    static Path dataDir;
    static Stack stack;

    @BeforeAll
    static void up() {
        Topology t = new Topology().ephemeral();
        t.catalogProducts = 300;
        t.services.auth.argon2MemoryKib = 1_024; // keep the test quick; production uses the OWASP figure
        t.services.auth.argon2Iterations = 1;
        stack = Stack.start(t, dataDir, line -> {});
    }

    @AfterAll
    static void down() {
        if (stack != null) stack.close();
    }

    static String dns() {
        return "127.0.0.1:" + stack.dns().server().address().getPort();
    }

    @Test
    void theDefaultMixThroughTheFrontDoor() throws Exception {
        Scenario s = Scenario.defaults();
        s.target = "http://shop.requestflow.test:" + stack.hop("edge").address().getPort();
        s.dns = dns();
        s.rate = 40;
        s.durationSeconds = 2;
        s.warmupSeconds = 0.5;
        s.products = 300;
        s.newConnectionShare = 0.3;
        s.metrics = List.of("http://127.0.0.1:" + stack.hop("catalog").adminAddress().getPort() + "/metrics");
        ObjectNode report = LoadCommand.runAndReport(s, null, "whole path");

        JsonNode req = report.get("requests");
        assertThat(req.get("measured").asLong()).isEqualTo(req.get("sent").asLong() - req.get("warmup").asLong());
        assertThat(report.get("login").asText()).isEqualTo("logged in as demo");
        Map<String, JsonNode> eps = new java.util.HashMap<>();
        report.get("endpoints").forEach(e -> eps.put(e.get("name").asText(), e));
        assertThat(eps.get("product").get("statuses").has("200")).isTrue();
        assertThat(eps.get("search").get("statuses").has("200")).isTrue();
        // whatever each endpoint answered, every request is accounted for under a status or an error kind
        for (JsonNode e : report.get("endpoints")) {
            long statuses = 0;
            for (JsonNode v : e.get("statuses")) statuses += v.asLong();
            assertThat(statuses).as(e.toString()).isLessThanOrEqualTo(e.get("count").asLong());
        }
        List<String> hops = new ArrayList<>();
        report.get("hops").forEach(h -> hops.add(h.get("name").asText()));
        assertThat(hops).contains("dns", "edge", "firewall", "balancer", "gateway", "catalog", "redis");
        assertThat(report.get("ratios").get("redisHit").isNull()).isFalse();
        assertThat(report.get("regions").size()).isEqualTo(3);
        assertThat(report.get("metrics").has(s.metrics.getFirst())).isTrue();
        assertThat(TextRender.render(report)).contains("hop service");
    }

    @Test
    void theBenchSuiteRunsEveryStep() throws Exception {
        BenchCommand bench = new BenchCommand();
        bench.rate = 30;
        bench.quiet = true;
        BenchCommand.Targets targets = new BenchCommand.Targets(stack.hop("catalog").address().getPort(),
                stack.hop("gateway-1").address().getPort(), stack.hop("balancer").address().getPort(),
                stack.hop("firewall").address().getPort(), stack.hop("edge").address().getPort(), dns(),
                "requestflow.test", 300);
        StringWriter out = new StringWriter();
        ObjectNode suite = bench.run(bench.steps(targets, 1, 0.2), 1, new PrintWriter(out));
        List<String> names = new ArrayList<>();
        for (JsonNode step : suite.get("steps")) {
            names.add(step.get("name").asText());
            JsonNode r = step.get("report");
            assertThat(r.get("requests").get("errors").asLong()).as(step.get("name") + ": " + r.get("errors")).isZero();
            assertThat(r.get("requests").get("measured").asLong()).isBetween(29L, 31L); // 30/s for 1 s, give or take the edge
        }
        assertThat(names).containsExactly("catalog", "gateway", "balancer", "firewall", "edge", "full-path-cold",
                "full-path-warm", "edge-hit");
        assertThat(suite.get("steps").get(1).has("overheadP50Ms")).isTrue();
        assertThat(BenchCommand.text(suite)).contains("Requestflow bench summary");
        assertThat(BenchCommand.html(suite)).contains("step edge-hit", "<svg").doesNotContain("<script");
    }
}
