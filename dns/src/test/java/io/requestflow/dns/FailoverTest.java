package io.requestflow.dns;

import static io.requestflow.dns.GeoZone.ask;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;

/**
 * Real HTTP origins on ephemeral ports, health-checked; stop one and time how long answers take to move. The
 * checkers run the defaults' design (same number of checkers, same threshold) on an interval 25 times shorter, so
 * the measured move is held to the same formula that puts the defaults under the seeds' 30 s.
 */
class FailoverTest {

    /** The seeds: "failover in under 30 s" (the authoritative answers; a cached answer adds its TTL). */
    private static final long SEEDS_BOUND_MS = 30_000;
    private static final int TIME_SCALE = 25;
    /** Scheduling slack for a busy machine: the probe threads and this test's own polling may run late. */
    private static final long SLACK_MS = 200;

    private static final String YAML = """
            port: 0
            rateLimit: {responsesPerSecond: 0}
            health: {checkers: %d, intervalMs: %d, timeoutMs: 200, threshold: %d}
            recordSets:
              - name: fo
                policy: failover
                ttlSeconds: 5
                answers:
                  - {id: primary, values: [127.0.0.41], failover: primary, healthCheck: "http://127.0.0.1:%d/healthz"}
                  - {id: secondary, values: [127.0.0.42], failover: secondary, healthCheck: "tcp://127.0.0.1:%d"}
              - name: pool
                policy: multivalue
                answers:
                  - {values: [127.0.0.51], healthCheck: "http://127.0.0.1:%d/healthz"}
                  - {values: [127.0.0.52], healthCheck: "tcp://127.0.0.1:%d"}
            """;

    @Test
    void theDefaultsDetectAFailureWithinTheSeedsBound() {
        HealthConfig defaults = HealthConfig.defaults();
        assertThat(defaults.worstDetectionMs(false)).isEqualTo(24_500).isLessThan(SEEDS_BOUND_MS);
        assertThat(defaults.worstDetectionMs(true)).isEqualTo(9_500);
    }

    @Test
    void answersMoveToTheSecondaryWithinTheDetectionBoundAndComeBack() throws Exception {
        HttpServer primary = origin();
        HttpServer secondary = origin();
        HealthConfig defaults = HealthConfig.defaults();
        String yaml = YAML.formatted(defaults.checkers(), defaults.intervalMs() / TIME_SCALE, defaults.threshold(),
                port(primary), port(secondary), port(primary), port(secondary));
        DnsConfig config = GeoZone.read(yaml);
        try (DnsServer server = DnsServer.start(config, new SimpleMeterRegistry())) {
            SimpleResolver resolver = GeoZone.resolver(server.address(), null);
            assertThat(address(ask(resolver, "fo.requestflow.test."))).isEqualTo("127.0.0.41");
            Thread.sleep(config.health().intervalMs()); // every checker has seen the primary healthy at least once

            primary.stop(0);
            long stopped = System.nanoTime();
            while (address(ask(resolver, "fo.requestflow.test.")).equals("127.0.0.41")) {
                assertThat(elapsedMs(stopped)).as("failover took too long").isLessThan(10_000);
                Thread.sleep(10);
            }
            long failover = elapsedMs(stopped);
            long bound = config.health().worstDetectionMs(false);
            System.out.printf("dns failover: answers moved %d ms after the primary stopped (bound %d ms)%n",
                    failover, bound);
            assertThat(failover).isLessThanOrEqualTo(bound + SLACK_MS);
            assertThat(address(ask(resolver, "fo.requestflow.test."))).isEqualTo("127.0.0.42");
            assertThat(ask(resolver, "pool.requestflow.test.").getSection(Section.ANSWER))
                    .as("the unhealthy pool member is dropped").hasSize(1);
            assertThat(server.health()).anySatisfy((url, state) -> assertThat(state.get("healthy")).isEqualTo(false));

            secondary.stop(0);
            long bothDown = System.nanoTime();
            while (ask(resolver, "pool.requestflow.test.").getSection(Section.ANSWER).size() < 2) {
                assertThat(elapsedMs(bothDown)).isLessThan(10_000);
                Thread.sleep(10);
            }
            assertThat(address(ask(resolver, "fo.requestflow.test.")))
                    .as("all unhealthy: fail open, and failover answers the primary").isEqualTo("127.0.0.41");
        } finally {
            primary.stop(0);
            secondary.stop(0);
        }
    }

    private static HttpServer origin() throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        http.createContext("/healthz", exchange -> {
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        http.start();
        return http;
    }

    private static int port(HttpServer http) {
        return http.getAddress().getPort();
    }

    private static long elapsedMs(long since) {
        return (System.nanoTime() - since) / 1_000_000;
    }

    private static String address(org.xbill.DNS.Message response) {
        List<org.xbill.DNS.Record> answer = response.getSection(Section.ANSWER);
        return ((ARecord) answer.get(0)).getAddress().getHostAddress();
    }
}
