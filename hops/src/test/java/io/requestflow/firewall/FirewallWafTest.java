package io.requestflow.firewall;

import com.fasterxml.jackson.databind.JsonNode;
import io.requestflow.engine.http.Json;
import io.requestflow.firewall.ratelimit.RateLimitConfig;
import io.requestflow.firewall.waf.WafConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The firewall hop over real sockets: raw protocol checks, block and detect modes, audit log, exclusions, network rules. */
class FirewallWafTest {

    static FirewallConfig config(WafConfig waf) {
        return FirewallConfig.defaults().withWaf(waf).withRateLimit(new RateLimitConfig(0, 60_000, 50, 1000, 100));
    }

    static byte[] raw(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static String body(String response) {
        return response.substring(response.indexOf("\r\n\r\n") + 4);
    }

    static final String UA = "User-Agent: Mozilla/5.0 test\r\nAccept: */*\r\n";

    @Test
    void requestSmugglingShapesAndMalformedHeadsAreRefusedBeforeTheCodec(@TempDir Path dir) throws Exception {
        try (FirewallUnderTest fw = new FirewallUnderTest(config(WafConfig.defaults()), dir, null)) {
            String clTe = fw.exchange(raw("POST / HTTP/1.1\r\nHost: x\r\n" + UA + "Content-Length: 4\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"));
            assertThat(FirewallUnderTest.statusOf(clTe)).isEqualTo(403);
            assertThat(body(clTe)).contains("incidentId").doesNotContain("RAW-").doesNotContain("Transfer");
            assertThat(fw.send(raw("POST / HTTP/1.1\r\nHost: x\r\n" + UA + "Content-Length: 3\r\nContent-Length: 4"
                    + "\r\n\r\nabcd"))).isEqualTo(403);
            assertThat(fw.send(raw("POST / HTTP/1.1\r\nHost: x\r\n" + UA + "Transfer-Encoding: chunked, identity"
                    + "\r\n\r\n0\r\n\r\n"))).isEqualTo(403);
            assertThat(fw.send(raw("GET / HTTP/1.1\r\nHost: x\r\n" + UA + "X-Long: a\r\n b\r\n\r\n"))).isEqualTo(400);
            assertThat(fw.send(raw("GET / HTTP/1.1\nHost: x\n" + UA.replace("\r\n", "\n") + "\n"))).isEqualTo(400);
            assertThat(fw.send(raw("GET / HTTP/1.1\r\nHost: x\rX-Evil: 1\r\n" + UA + "\r\n"))).isEqualTo(400);
            assertThat(fw.send(raw("GET / HTTP/1.1\r\nHost: x\r\nX-Nämé: 1\r\n" + UA + "\r\n"))).isEqualTo(400);
            assertThat(fw.send(raw("POST / HTTP/1.1\r\nHost: x\r\n" + UA + "Content-Type: text/plain\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n"))).isEqualTo(400);
            assertThat(fw.send(raw("GET / HTTP/2.0\r\nHost: x\r\n" + UA + "\r\n"))).isEqualTo(403);
            // a clean chunked request passes, and the audit log holds the refusals
            assertThat(fw.send(raw("POST / HTTP/1.1\r\nHost: x\r\n" + UA + "Content-Type: text/plain\r\n"
                    + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n"))).isEqualTo(200);
            assertThat(Files.readString(dir.resolve("firewall/audit.jsonl"))).contains("RAW-120", "RAW-121", "RAW-122");
        }
    }

    @Test
    void aSmuggledSecondRequestOnAKeepAliveConnectionIsCaught() throws Exception {
        // the guard follows the framing across requests, so the second head is inspected too
        try (FirewallUnderTest fw = new FirewallUnderTest(config(WafConfig.defaults().withAuditLog("")), null, null)) {
            String both = fw.exchange(raw("GET /a HTTP/1.1\r\nHost: x\r\n" + UA + "\r\n"
                    + "POST /b HTTP/1.1\r\nHost: x\r\n" + UA + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "0\r\n\r\n"));
            // the connection is refused as a whole: the smuggled request never reaches the origin
            assertThat(both).contains("HTTP/1.1 403").contains("incidentId");
        }
    }

    @Test
    void theGuardFollowsLargeAndChunkedBodiesAcrossReadsOnAKeepAliveConnection() throws Exception {
        try (FirewallUnderTest fw = new FirewallUnderTest(config(WafConfig.defaults().withAuditLog("")), null, null);
             java.net.Socket s = new java.net.Socket()) {
            s.connect(fw.address(), 2000);
            s.setSoTimeout(10_000);
            var out = s.getOutputStream();
            byte[] big = "x".repeat(300_000).getBytes(StandardCharsets.US_ASCII);
            out.write(raw("POST /upload HTTP/1.1\r\nHost: x\r\n" + UA + "Content-Type: text/plain\r\nContent-Length: "
                    + big.length + "\r\n\r\n"));
            for (int i = 0; i < big.length; i += 7_000) { // many small writes: many reads on the server
                out.write(big, i, Math.min(7_000, big.length - i));
                out.flush();
            }
            out.write(raw("POST /chunks HTTP/1.1\r\nHost: x\r\n" + UA + "Content-Type: text/plain\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n"));
            out.flush();
            for (String part : new String[] {"4\r\nab", "cd\r\n1", "0;ext=1\r\n0123456789abcdef\r\n", "0\r\n\r\n"}) {
                out.write(raw(part));
                out.flush();
                Thread.sleep(5);
            }
            out.write(raw("GET /third HTTP/1.1\r\nHost: x\r\n" + UA + "Connection: close\r\n\r\n"));
            out.flush();
            String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(all.split("HTTP/1.1 200", -1)).as(all).hasSize(4); // three answers, all 200
        }
    }

    @Test
    void blockModeAnswers403WithAnIncidentIdAndAuditsTheRules(@TempDir Path dir) throws Exception {
        try (FirewallUnderTest fw = new FirewallUnderTest(config(WafConfig.defaults()), dir, null)) {
            String response = fw.exchange(raw("GET /search?q=1%27%20or%20%271%27%3D%271 HTTP/1.1\r\nHost: x\r\n" + UA
                    + "Connection: close\r\n\r\n"));
            assertThat(FirewallUnderTest.statusOf(response)).isEqualTo(403);
            JsonNode problem = Json.tree(raw(body(response)));
            assertThat(problem.path("incidentId").asText()).startsWith("fw-");
            assertThat(body(response)).doesNotContain("SQLI").doesNotContain("score").doesNotContain("or '1'");
            JsonNode audit = Json.tree(raw(Files.readAllLines(dir.resolve("firewall/audit.jsonl")).getLast()));
            assertThat(audit.path("action").asText()).isEqualTo("block");
            assertThat(audit.path("incidentId").asText()).isEqualTo(problem.path("incidentId").asText());
            assertThat(audit.path("rules").toString()).contains("SQLI-100");
            assertThat(audit.path("score").asInt()).isGreaterThanOrEqualTo(5);
            assertThat(audit.path("client").asText()).isEqualTo("127.0.0.1");
            assertThat(audit.path("requestId").asText()).isNotBlank();
            assertThat(audit.path("matched").get(0).path("part").asText()).isEqualTo("ARG:q");
        }
    }

    @Test
    void detectOnlyModeLetsTheRequestThroughAndStillAudits(@TempDir Path dir) throws Exception {
        try (FirewallUnderTest fw = new FirewallUnderTest(config(WafConfig.defaults().withMode("detect")), dir, null)) {
            assertThat(fw.send(raw("GET /x?file=../../etc/passwd HTTP/1.1\r\nHost: x\r\n" + UA + "Connection: close\r\n\r\n")))
                    .isEqualTo(200);
            String audit = Files.readString(dir.resolve("firewall/audit.jsonl"));
            assertThat(audit).contains("\"action\":\"detect\"").contains("LFI-");
        }
    }

    @Test
    void perRouteExclusionsLetAFieldCarryWhatItLegitimatelyCarries() throws Exception {
        WafConfig waf = WafConfig.defaults().withAuditLog("").withExclusions(List.of(
                new WafConfig.Exclusion("/api/snippets", List.of("XSS"), List.of("code"))));
        String payload = "code=%3Cscript%3Ealert(1)%3C%2Fscript%3E";
        try (FirewallUnderTest fw = new FirewallUnderTest(config(waf), null, null)) {
            assertThat(fw.send(post("/api/snippets", payload))).isEqualTo(200);
            assertThat(fw.send(post("/api/comments", payload))).isEqualTo(403);
            assertThat(fw.send(post("/api/snippets", "other=%3Cscript%3Ealert(1)%3C%2Fscript%3E"))).isEqualTo(403);
        }
    }

    @Test
    void protocolViolationsAndLimits() throws Exception {
        try (FirewallUnderTest fw = new FirewallUnderTest(config(WafConfig.defaults().withAuditLog("")), null, null)) {
            assertThat(get(fw, "/x?a=%zz")).isEqualTo(403);              // invalid percent-encoding
            assertThat(get(fw, "/x?a=%c0%af")).isEqualTo(403);           // overlong UTF-8 for "/"
            assertThat(get(fw, "/x?a=%e2%82%ac")).isEqualTo(200);        // valid UTF-8 (euro sign)
            assertThat(get(fw, "/x?a=" + "b".repeat(5000))).isEqualTo(414);
            String trace = fw.exchange(raw("TRACE / HTTP/1.1\r\nHost: x\r\n" + UA + "Connection: close\r\n\r\n"));
            assertThat(FirewallUnderTest.statusOf(trace)).isEqualTo(405);
            assertThat(trace.toLowerCase()).contains("allow: delete, get, head, options, patch, post, put");
            StringBuilder many = new StringBuilder();
            for (int i = 0; i < 70; i++) many.append("X-H").append(i).append(": v\r\n");
            assertThat(fw.send(raw("GET / HTTP/1.1\r\nHost: x\r\n" + UA + many + "Connection: close\r\n\r\n")))
                    .isEqualTo(431);
        }
    }

    @Test
    void privateRoutesAndAllowListsUseTheClientAddress() throws Exception {
        FirewallConfig privateAdmin = config(WafConfig.defaults().withAuditLog("")).withNetwork(List.of(),
                List.of(new FirewallConfig.PrivateRoute("/admin", List.of("10.0.0.0/8"))));
        try (FirewallUnderTest fw = new FirewallUnderTest(privateAdmin, null, null)) {
            assertThat(get(fw, "/admin/users")).isEqualTo(403);
            assertThat(get(fw, "/public/%2e%2e/admin")).isEqualTo(403);
            assertThat(get(fw, "/administrator-guide")).isEqualTo(200);
            assertThat(get(fw, "/")).isEqualTo(200);
        }
        FirewallConfig loopbackAdmin = privateAdmin.withNetwork(List.of("127.0.0.0/8", "::1/128"),
                List.of(new FirewallConfig.PrivateRoute("/admin", List.of("127.0.0.1/32"))));
        try (FirewallUnderTest fw = new FirewallUnderTest(loopbackAdmin, null, null)) {
            assertThat(get(fw, "/admin/users")).isEqualTo(200);
        }
        FirewallConfig elsewhereOnly = privateAdmin.withNetwork(List.of("10.0.0.0/8"), List.of());
        try (FirewallUnderTest fw = new FirewallUnderTest(elsewhereOnly, null, null)) {
            assertThat(get(fw, "/")).isEqualTo(403);
        }
    }

    static int get(FirewallUnderTest fw, String target) throws Exception {
        return fw.send(raw("GET " + target + " HTTP/1.1\r\nHost: x\r\n" + UA + "Connection: close\r\n\r\n"));
    }

    static byte[] post(String path, String form) {
        return raw("POST " + path + " HTTP/1.1\r\nHost: x\r\n" + UA + "Content-Type: application/x-www-form-urlencoded\r\n"
                + "Content-Length: " + form.length() + "\r\nConnection: close\r\n\r\n" + form);
    }
}
