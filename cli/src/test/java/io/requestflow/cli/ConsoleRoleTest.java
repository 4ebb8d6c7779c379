package io.requestflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.requestflow.console.ConsoleServer;
import io.requestflow.console.ConsoleSettings;
import io.requestflow.engine.hop.Engine;
import io.requestflow.engine.http.Json;
import io.requestflow.topology.Topology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code serve --role console}: the console of a topology whose hops run elsewhere, here none at all. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConsoleRoleTest {

    @Test
    void withNothingRunningEveryInstanceIsReportedDownAndARequestGetsAReadableProblem() throws Exception {
        Topology t = new Topology();
        // ports where nothing listens on this machine (the defaults might be a running `up`)
        t.dnsAdminPort = 1;
        t.edge.port = 2;
        t.dns = t.dns.withPort(3);
        for (Topology.Listener l : List.of(t.edge, t.firewall, t.balancer, t.gateway, t.services.auth, t.services.catalog,
                t.services.inventory, t.services.reviews, t.services.recommendations, t.services.page, t.services.orders)) {
            l.adminPort = 4;
        }
        t.queue.adminPort = 5;
        try (Engine engine = new Engine(1, 100, 1.0);
             ConsoleServer console = ConsoleServer.start(engine, "127.0.0.1", new TopologyDirectory(t),
                     new ConsoleSettings(0, 500, 2_000))) {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            String base = "http://127.0.0.1:" + console.address().getPort();

            HttpResponse<String> path = client.send(HttpRequest.newBuilder(URI.create(base + "/api/path"))
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(path.statusCode()).isEqualTo(200);
            JsonNode state = Json.tree(path.body().getBytes(StandardCharsets.UTF_8));
            List<String> names = new ArrayList<>();
            for (JsonNode i : state.get("instances")) {
                names.add(i.get("name").asText());
                assertThat(i.get("state").asText()).isEqualTo("down");
                assertThat(i.get("reason").asText()).contains("does not answer");
            }
            assertThat(names).startsWith("dns-1", "edge-1", "firewall-1", "balancer-1", "gateway-1", "gateway-2")
                    .endsWith("queue-1");
            assertThat(state.get("stores").isEmpty()).isTrue();

            HttpResponse<String> sent = client.send(HttpRequest.newBuilder(URI.create(base + "/api/request"))
                    .header("Content-Type", "application/json").timeout(Duration.ofSeconds(20))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"path\": \"/api/products/1\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(sent.statusCode()).isEqualTo(502);
            assertThat(sent.headers().firstValue("content-type").orElse("")).startsWith("application/problem+json");
            assertThat(Json.tree(sent.body().getBytes(StandardCharsets.UTF_8)).get("phase").asText()).isEqualTo("dns");
        }
    }
}
