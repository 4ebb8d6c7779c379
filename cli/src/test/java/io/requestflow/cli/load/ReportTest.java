package io.requestflow.cli.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.requestflow.engine.http.Json;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** The report: the verdict against the seeds' budgets, "n/a" for what was not measured, a self-contained page. */
class ReportTest {

    @Test
    void verdictTextAndHtmlFromOneRun() throws Exception {
        try (InjectedLatencyServer server = new InjectedLatencyServer(1, 3, 0, 0)) {
            Scenario s = HonestyTest.scenario(server.port());
            s.rate = 100;
            s.durationSeconds = 1;
            s.warmupSeconds = 0;
            ObjectNode report = Report.of(new LoadRun(s, null, null).run(), Map.of());

            Map<String, JsonNode> verdict = new java.util.LinkedHashMap<>();
            report.get("verdict").forEach(v -> verdict.put(v.get("budget").asText(), v));
            // met or missed follows the figure (timing on a shared machine varies; the rule does not)
            for (String p : List.of("p50", "p99", "p99.9")) {
                JsonNode v = verdict.get(p);
                double limit = p.equals("p50") ? Report.P50_MS : p.equals("p99") ? Report.P99_MS : Report.P999_MS;
                assertThat(v.get("value").asDouble()).isEqualTo(report.get("latencyMs").get(p).asDouble());
                assertThat(v.get("verdict").asText()).isEqualTo(v.get("value").asDouble() <= limit ? "met" : "missed");
            }
            assertThat(verdict.get("edge hit ratio").get("verdict").asText()).isEqualTo("missed");
            assertThat(verdict.get("edge hit ratio").get("figure").asText()).isEqualTo("0.0%");
            assertThat(verdict.get("hop dns p99").get("verdict").asText()).isEqualTo("n/a");
            assertThat(verdict.get("hop postgres p99").get("verdict").asText()).isEqualTo("n/a");
            assertThat(verdict.get("hop service (catalog) p99").get("figure").asText()).isEqualTo("0.2 ms");
            assertThat(verdict.get("hop service (catalog) p99").get("verdict").asText()).isEqualTo("met");
            assertThat(report.get("throughput").get("ratio").asDouble()).isBetween(0.9, 1.1);

            String text = TextRender.render(report);
            assertThat(text).contains("budget (seeds)", "p99.9", "n/a", "errors by kind", "met");

            String html = HtmlRender.render(report);
            assertThat(html).startsWith("<!DOCTYPE html>").contains("<svg", "<polyline", "Verdict", "class=\"met\"");
            // self-contained: nothing is fetched (no sources, links, imports; the target URL is only text)
            assertThat(html).doesNotContain("src=", "href=", "<script", "<link", "@import", "url(", "<iframe", "<img");
            // the JSON round-trips
            assertThat(Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(report)).toString()).isEqualTo(report.toString());
        }
    }

    @Test
    void hitRatioSignals() {
        assertThat(Recorder.cacheHit("HIT")).isTrue();
        assertThat(Recorder.cacheHit("edge; hit; ttl=30")).isTrue();
        assertThat(Recorder.cacheHit("edge; fwd=miss; stored")).isFalse();
        assertThat(Recorder.cacheHit("MISS")).isFalse();
        assertThat(Recorder.cacheHit("STALE")).isTrue();
        assertThat(Recorder.cacheHit("10.0.0.1:8100")).isNull();
        assertThat(Recorder.cacheHit(null)).isNull();
    }

    @Test
    void zipfSkewsTowardsTheFirstIds() {
        Zipf zipf = new Zipf(1000, 1.0);
        SplittableRandom random = new SplittableRandom(1);
        int[] counts = new int[1001];
        for (int i = 0; i < 200_000; i++) counts[zipf.next(random)]++;
        // P(1) = 1/H(1000) = 0.1336; P(2) = half of it
        assertThat(counts[1] / 200_000.0).isCloseTo(zipf.probability(1), org.assertj.core.data.Offset.offset(0.005));
        assertThat(zipf.probability(1)).isCloseTo(0.1336, org.assertj.core.data.Offset.offset(0.0005));
        assertThat((double) counts[2] / counts[1]).isCloseTo(0.5, org.assertj.core.data.Offset.offset(0.03));
        Zipf uniform = new Zipf(10, 0);
        assertThat(uniform.probability(1)).isCloseTo(0.1, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void theDailyProfileShapesTheRate() {
        Scenario s = Scenario.defaults();
        s.rate = 100;
        s.durationSeconds = 100;
        s.rampSeconds = 0;
        Schedule schedule = new Schedule(s);
        assertThat(schedule.rateAt(10)).isEqualTo(50);      // off-peak 0..30 s at 0.5
        assertThat(schedule.phaseAt(60)).isEqualTo("peak");
        assertThat(schedule.rateAt(82)).isEqualTo(180);     // spike at 1.8x
        assertThat(schedule.rateAt(-1)).isEqualTo(50);      // warm-up at the first phase's rate
        assertThat(schedule.expectedRequests()).isCloseTo(30 * 50 + 15 * 80 + 35 * 100 + 5 * 180 + 15 * 70,
                org.assertj.core.data.Offset.offset(1.0));
        s.profile = List.of();
        s.rampSeconds = 10;
        s.arrival = "constant";
        Schedule ramp = new Schedule(s);
        assertThat(ramp.rateAt(0)).isEqualTo(10);
        assertThat(ramp.rateAt(20)).isEqualTo(100);
        assertThat(ramp.next(20, new SplittableRandom(1))).isCloseTo(20.01, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void aScenarioFileOverridesDefaultsAndRejectsTypos(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path f = dir.resolve("s.yaml");
        java.nio.file.Files.writeString(f, """
                rate: 250
                arrival: constant
                endpoints:
                  - {name: home, weight: 1, method: GET, path: /}
                  - {name: buy, weight: 1, method: POST, path: /orders, expect: [201, 409]}
                """);
        Scenario s = Scenario.load(f);
        assertThat(s.rate).isEqualTo(250);
        assertThat(s.endpoints).hasSize(2);
        assertThat(s.endpoints.get(0).expect()).as("any status below 400").isNull();
        assertThat(s.endpoints.get(1).expect()).containsExactly(201, 409);
        assertThat(s.regions).hasSize(3);
        java.nio.file.Files.writeString(f, "rtae: 5\n");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Scenario.load(f))
                .hasMessageContaining("unknown setting 'rtae'");
        java.nio.file.Files.writeString(f, "arrival: bursty\n");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Scenario.load(f))
                .hasMessageContaining("arrival must be constant or poisson");
    }

    @Test
    void badFlagsAreUsageErrorsNotStackTraces() {
        java.io.StringWriter err = new java.io.StringWriter();
        picocli.CommandLine cli = new picocli.CommandLine(new LoadCommand());
        cli.setErr(new java.io.PrintWriter(err));
        assertThat(cli.execute("--duration", "soon")).isEqualTo(2);
        assertThat(err.toString()).contains("--duration 'soon' is not a duration");
        err.getBuffer().setLength(0);
        assertThat(cli.execute("--arrival", "bursty")).isEqualTo(2);
        assertThat(err.toString()).contains("arrival must be constant or poisson").doesNotContain("Exception");
        assertThat(LoadCommand.seconds("500ms", "x")).isEqualTo(0.5);
        assertThat(LoadCommand.seconds("2m", "x")).isEqualTo(120);
    }
}
