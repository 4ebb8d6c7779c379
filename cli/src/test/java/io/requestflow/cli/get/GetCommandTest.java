package io.requestflow.cli.get;

import com.fasterxml.jackson.databind.JsonNode;
import io.requestflow.engine.http.Json;
import io.requestflow.engine.testing.Http;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class GetCommandTest {
    static TestPath path;

    @BeforeAll
    static void start() {
        path = new TestPath();
    }

    @AfterAll
    static void stop() {
        path.close();
    }

    record Run(int exit, String out, String err) {}

    static Run get(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(new GetCommand());
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of("--dns", "127.0.0.1:" + path.dnsAddress().getPort()));
        all.addAll(List.of(args));
        int exit = cmd.execute(all.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void printsStatusHeadersBodyTimingAndTheHopWaterfall() {
        Run run = get(path.url("/api/products/42"));
        System.out.println(run.out());
        assertThat(run.exit()).isZero();
        assertThat(run.err()).isEmpty();
        assertThat(run.out())
                .contains("GET " + path.url("/api/products/42"))
                .contains("shop.requestflow.test resolved to 127.0.0.1 by DNS 127.0.0.1:" + path.dnsAddress().getPort())
                .contains("HTTP/1.1 200 OK")
                .contains("content-type: application/json")
                .contains("\"title\" : \"Kindle Paperwhite\"") // pretty-printed
                // 2 decimals under 100 ms, 1 above (a slow machine crosses it)
                .containsPattern("\\n  dns +\\d+\\.\\d{1,2} ")
                .containsPattern("\\n  tls +- +plain http")
                .containsPattern("\\n  ttfb +\\d+\\.\\d{1,2} ")
                .containsPattern("\\n  edge +\\d+\\.\\d{1,2} +\\d+\\.\\d{1,2} +\\|#+ *\\|")
                .containsPattern("\\n  catalog +\\d+\\.\\d{1,2} .*\\|  200")
                .containsPattern("\\n    redis +0\\.30 .*\\|  miss")
                .containsPattern("\\n    postgres +1\\.20 .*\\|  replica");
        assertThat(run.out().indexOf("  edge ")).isLessThan(run.out().indexOf("  catalog "));
    }

    @Test
    void jsonHasStatusHeadersBodyTimingsAndHopsInOrder() throws Exception {
        Run run = get("--json", path.url("/api/products/7"));
        assertThat(run.exit()).isZero();
        JsonNode json = Json.MAPPER.readTree(run.out());
        assertThat(json.get("status").asInt()).isEqualTo(200);
        assertThat(json.get("headers").get("content-type").asText()).isEqualTo("application/json");
        assertThat(json.get("headers").get("server-timing").asText()).startsWith("edge;dur=");
        assertThat(json.get("body").isTextual()).isTrue();
        assertThat(json.get("body").asText()).contains("\"id\":\"7\"");
        assertThat(json.get("json").get("price").get("amount").asInt()).isEqualTo(14999);
        JsonNode t = json.get("timings");
        assertThat(t.get("dns").isNumber()).isTrue();
        assertThat(t.get("connect").asDouble()).isGreaterThanOrEqualTo(0);
        assertThat(t.get("tls").isNull()).isTrue();
        assertThat(t.get("ttfb").asDouble()).isGreaterThanOrEqualTo(0);
        assertThat(t.get("total").asDouble()).isGreaterThanOrEqualTo(t.get("ttfb").asDouble());
        List<String> names = new ArrayList<>();
        for (JsonNode hop : json.get("hops")) {
            names.add(hop.get("name").asText());
            assertThat(hop.get("dur").isNumber()).isTrue();
            assertThat(hop.has("desc")).isTrue();
        }
        assertThat(names).containsExactly("edge", "catalog", "redis", "postgres");
        assertThat(json.get("hops").get(2).get("desc").asText()).isEqualTo("miss");
    }

    @Test
    void errorStatusesStillExitZero() throws Exception {
        Run run = get("--json", path.url("/no/such/page"));
        assertThat(run.exit()).isZero();
        assertThat(Json.MAPPER.readTree(run.out()).get("status").asInt()).isEqualTo(404);
    }

    @Test
    void postsDataWithAJsonContentType() throws Exception {
        Run run = get("--json", "-d", "{\"sku\":\"B0-1\"}", path.url("/echo"));
        JsonNode json = Json.MAPPER.readTree(run.out());
        assertThat(json.get("status").asInt()).isEqualTo(200);
        assertThat(json.get("headers").get("content-type").asText()).isEqualTo("application/json");
        assertThat(json.get("body").asText()).isEqualTo("{\"sku\":\"B0-1\"}");
    }

    @Test
    void longBodiesAreTrimmedWithTheirSize() {
        Run run = get(path.url("/big"));
        assertThat(run.out()).contains("... (first 2.0 KB shown of 4.9 KB; --json prints all of it)");
    }

    @Test
    void refusedConnectionIsOneLineOnStderrAndExitTwo() {
        int closed = Http.closedPort();
        Run run = get("http://127.0.0.1:" + closed + "/");
        assertThat(run.exit()).isEqualTo(GetCommand.EXIT_NO_RESPONSE);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo("get: connection refused by 127.0.0.1:" + closed
                + " - is `./flow up` running?" + System.lineSeparator());
    }

    @Test
    void nxdomainIsOneLineOnStderrAndExitTwo() throws Exception {
        Run run = get("--json", "http://nope.requestflow.test/");
        assertThat(run.exit()).isEqualTo(GetCommand.EXIT_NO_RESPONSE);
        assertThat(run.err()).isEqualTo("get: nope.requestflow.test did not resolve via DNS 127.0.0.1:"
                + path.dnsAddress().getPort() + " (NXDOMAIN). Is `./flow up` running?" + System.lineSeparator());
        JsonNode json = Json.MAPPER.readTree(run.out());
        assertThat(json.get("status").isNull()).isTrue();
        assertThat(json.get("phase").asText()).isEqualTo("dns");
    }

    @Test
    void fromSendsTheRequestFromThatAddress() throws Exception {
        try (java.net.ServerSocket server = new java.net.ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
            server.setSoTimeout(10_000);
            java.util.concurrent.CompletableFuture<java.net.InetAddress> peer = new java.util.concurrent.CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try (java.net.Socket s = server.accept()) {
                    peer.complete(s.getInetAddress());
                    s.getInputStream().read(new byte[4096]);
                    s.getOutputStream().write("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n"
                            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                } catch (java.io.IOException e) {
                    peer.completeExceptionally(e);
                }
            });
            Run run = get("--from", "127.0.1.9", "http://127.0.0.1:" + server.getLocalPort() + "/");
            assertThat(run.exit()).as(run.err()).isZero();
            assertThat(run.out()).contains("from 127.0.1.9");
            assertThat(peer.get(10, TimeUnit.SECONDS).getHostAddress()).isEqualTo("127.0.1.9");
        }
        Run notLocal = get("--from", "192.0.2.1", path.url("/"));
        assertThat(notLocal.exit()).isEqualTo(2);
        assertThat(notLocal.err()).contains("--from 192.0.2.1 is not an address of this machine");
        Run notAnAddress = get("--from", "mars", path.url("/"));
        assertThat(notAnAddress.exit()).isEqualTo(2);
        assertThat(notAnAddress.err()).contains("--from 'mars' is neither an IP address")
                .contains("eu-west, us-east, ap-south");
        assertThat(DnsLookup.defaultRegionClient("ap-south").orElseThrow().getHostAddress()).isEqualTo("127.0.3.9");
        assertThat(DnsLookup.defaultRegionClient("EU-WEST").orElseThrow().getHostAddress()).isEqualTo("127.0.1.9");
    }

    @Test
    void badInputIsAUsageError() {
        Run noUrl = get();
        assertThat(noUrl.exit()).isEqualTo(2);
        assertThat(noUrl.err()).contains("Missing required parameter: 'URL'");

        Run badHeader = get("-H", "no colon here", path.url("/"));
        assertThat(badHeader.exit()).isEqualTo(2);
        assertThat(badHeader.err()).contains("-H 'no colon here' is not 'Name: value'").contains("Usage: get");

        Run ftp = get("ftp://example.test/");
        assertThat(ftp.err()).contains("is not an http:// or https:// URL");
    }
}
