package io.requestflow.topology;

import com.fasterxml.jackson.databind.JsonNode;
import io.requestflow.balancer.BalancerConfig;
import io.requestflow.engine.http.Json;
import io.requestflow.engine.net.HostPort;
import io.requestflow.engine.trace.ServerTiming;
import io.requestflow.engine.testing.Http;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole path on real sockets: dns → edge → firewall → balancer → gateway → service → redis/postgres,
 * started by the same {@link Stack} that {@code ./flow up} uses, on free ports.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WholePathTest {
    static final String HOST = "shop.requestflow.test";

    @TempDir
    static Path dataDir;
    static Stack stack;
    static InetSocketAddress edgeAddress;

    @BeforeAll
    static void up() {
        Topology t = new Topology().ephemeral();
        t.catalogProducts = 500;
        t.firewall.deny = List.of("127.0.0.2/32");
        t.firewall.maxBodyBytes = 2048;
        // quick to notice a stopped gateway (refused at once, twice), slow to doubt one on a busy machine: a
        // single 500 ms check on a loaded run had put both in panic mode and failed the rotation tests
        t.balancer.healthCheck = new BalancerConfig.HealthCheck(200, 1_000, 1, 2);
        t.balancer.slowStartMs = 1_000; // a scaled-up gateway ramps up quickly in the test
        t.services.auth.argon2MemoryKib = 1_024; // keep the test quick; production uses the OWASP figure
        t.services.auth.argon2Iterations = 1;
        // these tests prove the wiring, not the budgets: a loaded CI machine must not degrade the page
        t.services.page.inventoryTimeoutMs = 3_000;
        t.services.page.reviewsTimeoutMs = 3_000;
        t.services.page.recommendationsTimeoutMs = 3_000;
        stack = Stack.start(t, dataDir, line -> {});
    }

    @AfterAll
    static void down() {
        if (stack != null) stack.close();
    }

    /** Resolves the shop name through the project's DNS server, as a browser's resolver would. */
    static InetSocketAddress resolveEdge() throws IOException {
        SimpleResolver resolver = new SimpleResolver(stack.dns().server().address());
        resolver.setTimeout(Duration.ofSeconds(5)); // a stub resolver's default (glibc): a busy CI machine stays green
        Message answer = resolver.send(Message.newQuery(Record.newRecord(Name.fromString(HOST + "."), Type.A, DClass.IN)));
        assertThat(answer.getRcode()).isEqualTo(Rcode.NOERROR);
        ARecord a = (ARecord) answer.getSection(Section.ANSWER).getFirst();
        return new InetSocketAddress(a.getAddress(), stack.hop("edge").address().getPort());
    }

    static RawHttp.Reply get(String path, Map<String, String> headers) throws IOException {
        return RawHttp.send("127.0.0.1", resolveEdge(), "GET", path, HOST + ":" + stack.hop("edge").address().getPort(),
                headers, null);
    }

    static List<String> hopNames(RawHttp.Reply reply) {
        return ServerTiming.parse(reply.header("server-timing")).stream().map(ServerTiming.Entry::name).toList();
    }

    @Test
    @Order(1)
    void productTravelsEveryHopAndTheSecondReadIsARedisHit() throws IOException {
        RawHttp.Reply first = get("/api/products/42", Map.of());
        assertThat(first.status()).isEqualTo(200);
        JsonNode product = Json.tree(first.body().getBytes(StandardCharsets.UTF_8));
        assertThat(product.get("id").asLong()).isEqualTo(42);
        assertThat(product.get("name").asText()).isNotBlank();
        assertThat(hopNames(first)).containsSubsequence("edge", "firewall", "balancer", "gateway", "catalog", "redis",
                "postgres");
        assertThat(first.header("x-request-id")).isNotBlank();

        // no-cache makes the edge ask again, so the read reaches the catalog and its Redis
        RawHttp.Reply second = get("/api/products/42", Map.of("Cache-Control", "no-cache"));
        assertThat(second.body()).isEqualTo(first.body());
        List<ServerTiming.Entry> entries = ServerTiming.parse(second.header("server-timing"));
        assertThat(entries).anySatisfy(e -> {
            assertThat(e.name()).isEqualTo("redis");
            assertThat(e.desc()).isEqualTo("hit");
        });
        assertThat(hopNames(second)).doesNotContain("postgres");

        // a plain read is answered by the edge's cache: the waterfall ends there
        RawHttp.Reply third = get("/api/products/42", Map.of());
        assertThat(third.body()).isEqualTo(first.body());
        assertThat(third.header("x-cache")).isEqualTo("HIT");
        assertThat(third.header("age")).isNotNull();
        assertThat(hopNames(third)).containsExactly("edge");
    }

    @Test
    @Order(2)
    void searchFindsProductsByWordsOfTheirName() throws IOException {
        RawHttp.Reply one = get("/api/products/7", Map.of());
        String word = Json.tree(one.body().getBytes(StandardCharsets.UTF_8)).get("name").asText().split(" ")[0];
        RawHttp.Reply found = get("/api/products?q=" + word + "&limit=5", Map.of());
        assertThat(found.status()).isEqualTo(200);
        JsonNode body = Json.tree(found.body().getBytes(StandardCharsets.UTF_8));
        assertThat(body.get("count").asInt()).isBetween(1, 5);
        assertThat(get("/api/products?limit=100000", Map.of()).status()).isEqualTo(400);
        assertThat(get("/api/products/abc", Map.of()).status()).isEqualTo(400);
        assertThat(get("/api/products/999999", Map.of()).status()).isEqualTo(404);
    }

    @Test
    @Order(3)
    void meNeedsATokenFromLogin() throws IOException {
        RawHttp.Reply anonymous = get("/api/me", Map.of());
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.header("content-type")).isEqualTo("application/problem+json");
        assertThat(hopNames(anonymous)).endsWith("gateway"); // refused at the gateway, never reached auth

        RawHttp.Reply forged = get("/api/me", Map.of("X-User-Id", "1", "Authorization", "Bearer not.a.token"));
        assertThat(forged.status()).isEqualTo(401);

        RawHttp.Reply login = RawHttp.send("127.0.0.1", resolveEdge(), "POST", "/api/login", HOST,
                Map.of("Content-Type", "application/json"),
                "{\"username\":\"demo\",\"password\":\"demo\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(login.status()).isEqualTo(200);
        JsonNode token = Json.tree(login.body().getBytes(StandardCharsets.UTF_8));
        assertThat(token.get("token_type").asText()).isEqualTo("Bearer");
        assertThat(token.get("expires_in").asLong()).isPositive();

        RawHttp.Reply me = get("/api/me", Map.of("Authorization", "Bearer " + token.get("access_token").asText()));
        assertThat(me.status()).isEqualTo(200);
        assertThat(me.body()).contains("\"username\":\"demo\"");
        assertThat(hopNames(me)).containsSubsequence("gateway", "auth", "postgres");

        RawHttp.Reply wrongPassword = RawHttp.send("127.0.0.1", resolveEdge(), "POST", "/api/login", HOST,
                Map.of("Content-Type", "application/json"),
                "{\"username\":\"demo\",\"password\":\"nope\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(wrongPassword.status()).isEqualTo(401);
    }

    @Test
    @Order(4)
    void firewallDeniesListedClientsAndOversizedBodies() throws IOException {
        RawHttp.Reply denied = RawHttp.send("127.0.0.2", resolveEdge(), "GET", "/api/products/1", HOST, Map.of(), null);
        assertThat(denied.status()).isEqualTo(403);
        assertThat(hopNames(denied)).containsExactly("edge", "firewall");

        RawHttp.Reply spoofed = RawHttp.send("127.0.0.1", resolveEdge(), "GET", "/api/products/1", HOST,
                Map.of("X-Forwarded-For", "127.0.0.2"), null);
        assertThat(spoofed.status()).as("a client cannot pose as another address").isEqualTo(200);

        RawHttp.Reply tooBig = RawHttp.send("127.0.0.1", resolveEdge(), "POST", "/api/login", HOST,
                Map.of("Content-Type", "application/json"), new byte[4096]);
        assertThat(tooBig.status()).isEqualTo(413);
        assertThat(hopNames(tooBig)).containsExactly("edge", "firewall");
    }

    @Test
    @Order(5)
    void unknownHostIsMisdirected() throws IOException {
        RawHttp.Reply other = RawHttp.send("127.0.0.1", resolveEdge(), "GET", "/api/products/1", "evil.example",
                Map.of(), null);
        assertThat(other.status()).isEqualTo(421);
    }

    @Test
    @Order(6)
    void productPageFansOutToEveryServiceBehindTheGateway() throws IOException {
        RawHttp.Reply page = get("/api/pages/products/42", Map.of());
        assertThat(page.status()).isEqualTo(200);
        JsonNode body = Json.tree(page.body().getBytes(StandardCharsets.UTF_8));
        assertThat(body.get("product").get("id").asLong()).isEqualTo(42);
        assertThat(body.get("inventory").get("productId").asLong()).isEqualTo(42);
        assertThat(body.get("reviews").get("productId").asLong()).isEqualTo(42);
        assertThat(body.get("recommendations").get("items").isArray()).isTrue();
        assertThat(body.get("degraded")).isEmpty();
        assertThat(hopNames(page)).containsSubsequence("edge", "firewall", "balancer", "gateway", "page")
                .contains("product", "inventory", "reviews", "recommendations");
        assertThat(get("/api/pages/products/999999", Map.of()).status()).isEqualTo(404);
    }

    @Test
    @Order(6)
    void aServiceBrokenOnPurposeDegradesThePageAndHealingRestoresIt() throws Exception {
        String admin = HostPort.of(stack.hop("recommendations").adminAddress()).toString();
        Map<String, String> fresh = Map.of("Cache-Control", "no-cache");
        // what `./flow break recommendations --error 503` sends, against this process's instance
        int code = new picocli.CommandLine(new io.requestflow.cli.BreakCommand())
                .execute("recommendations", "--error", "503", "--for", "1m", "--admin", admin);
        assertThat(code).isZero();
        RawHttp.Reply page = get("/api/pages/products/43", fresh);
        assertThat(page.status()).as("an optional part failing degrades the page, it does not fail it").isEqualTo(200);
        JsonNode body = Json.tree(page.body().getBytes(StandardCharsets.UTF_8));
        assertThat(body.get("recommendations").isNull()).isTrue();
        assertThat(body.get("degraded").toString()).contains("recommendations");
        assertThat(body.get("product").get("id").asLong()).isEqualTo(43);

        code = new picocli.CommandLine(new io.requestflow.cli.HealCommand()).execute("recommendations", "--admin", admin);
        assertThat(code).isZero();
        body = Json.tree(get("/api/pages/products/43", fresh).body().getBytes(StandardCharsets.UTF_8));
        assertThat(body.get("degraded")).isEmpty();
        assertThat(body.get("recommendations").get("items").isArray()).isTrue();
    }

    @Test
    @Order(7)
    void anOrderNeedsATokenAndIsReadableByItsOwnerRightAway() throws IOException {
        assertThat(post("/api/orders", "{\"items\":[{\"productId\":42,\"quantity\":1}]}", Map.of()).status())
                .isEqualTo(401);
        String token = login();
        Map<String, String> auth = Map.of("Authorization", "Bearer " + token, "Content-Type", "application/json",
                "Idempotency-Key", "whole-path-1");
        RawHttp.Reply placed = post("/api/orders", "{\"items\":[{\"productId\":42,\"quantity\":1}]}", auth);
        assertThat(placed.status()).isEqualTo(201);
        long id = Json.tree(placed.body().getBytes(StandardCharsets.UTF_8)).get("id").asLong();
        RawHttp.Reply again = post("/api/orders", "{\"items\":[{\"productId\":42,\"quantity\":1}]}", auth);
        assertThat(Json.tree(again.body().getBytes(StandardCharsets.UTF_8)).get("id").asLong()).isEqualTo(id);
        RawHttp.Reply read = get("/api/orders/" + id, Map.of("Authorization", "Bearer " + token));
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.header("cache-control")).startsWith("private");

        // what happens later: the outbox row goes through Kafka, and the queue's worker confirms the order
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String status;
        do {
            status = Json.tree(get("/api/orders/" + id, Map.of("Authorization", "Bearer " + token)).body()
                    .getBytes(StandardCharsets.UTF_8)).get("status").asText();
            if (!status.equals("confirmed")) sleep(100);
        } while (!status.equals("confirmed") && System.nanoTime() < deadline);
        assertThat(status).isEqualTo("confirmed");

        // and the request's trace goes on through the queue: the relay's and the worker's spans are in it
        // (a span is stored when it ends, which can be a moment after the order shows as confirmed)
        String spans;
        long spansDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        do {
            spans = RawHttp.send("127.0.0.1", stack.hop("balancer").adminAddress(), "GET", "/spans?trace=" + trace(placed),
                    "x", Map.of(), null).body();
            if (!spans.contains("queue publish OrderPlaced") || !spans.contains("queue process OrderPlaced")) sleep(50);
            else break;
        } while (System.nanoTime() < spansDeadline);
        assertThat(spans).contains("queue publish OrderPlaced", "queue process OrderPlaced", "orders POST");
        // what `./flow trace ID` prints: the same spans as one tree
        java.io.StringWriter printed = new java.io.StringWriter();
        picocli.CommandLine trace = new picocli.CommandLine(new io.requestflow.cli.TraceCommand());
        trace.setOut(new java.io.PrintWriter(printed));
        assertThat(trace.execute(trace(placed), "--admin", HostPort.of(stack.hop("balancer").adminAddress()).toString()))
                .isZero();
        assertThat(printed.toString()).contains("edge POST (edge)", "orders POST (orders)", "queue process OrderPlaced (queue)");

        // nothing went wrong, so nothing waits in the dead-letter topic (`./flow queue dlq`)
        String queueAdmin = stack.endpoints().stream().filter(e -> e.role().equals("queue")).findFirst().orElseThrow().admin();
        RawHttp.Reply dlq = RawHttp.send("127.0.0.1", HostPort.parse(queueAdmin).toSocketAddress(), "GET", "/dlq", "x",
                Map.of(), null);
        assertThat(dlq.status()).isEqualTo(200);
        assertThat(dlq.body()).contains("\"waiting\":0", "shop.orders.dlq");
    }

    static String trace(RawHttp.Reply reply) {
        return reply.header("x-request-id");
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    @Order(9)
    void aReviewNeedsATokenAndShowsUpInTheSummary() throws IOException {
        String review = "{\"rating\":4,\"text\":\"Sturdy, and the colour is as pictured.\"}";
        Map<String, String> json = Map.of("Content-Type", "application/json");
        assertThat(post("/api/reviews/42", review, json).status()).isEqualTo(401);
        int before = Json.tree(get("/api/reviews/42", Map.of()).body().getBytes(StandardCharsets.UTF_8)).get("count").asInt();
        RawHttp.Reply written = post("/api/reviews/42", review,
                Map.of("Content-Type", "application/json", "Authorization", "Bearer " + login()));
        assertThat(written.status()).as(written.body()).isEqualTo(201);
        assertThat(written.body()).contains("\"author\":\"demo\"").contains("\"rating\":4");
        JsonNode after = Json.tree(get("/api/reviews/42", Map.of("Cache-Control", "no-cache")).body()
                .getBytes(StandardCharsets.UTF_8));
        assertThat(after.get("count").asInt()).isEqualTo(before + 1);
        assertThat(post("/api/reviews/42", "{\"rating\":9,\"text\":\"x\"}",
                Map.of("Content-Type", "application/json", "Authorization", "Bearer " + login())).status()).isEqualTo(400);
    }

    static RawHttp.Reply post(String path, String body, Map<String, String> headers) throws IOException {
        return RawHttp.send("127.0.0.1", resolveEdge(), "POST", path, HOST, headers, body.getBytes(StandardCharsets.UTF_8));
    }

    static String login() throws IOException {
        RawHttp.Reply login = post("/api/login", "{\"username\":\"demo\",\"password\":\"demo\"}",
                Map.of("Content-Type", "application/json"));
        return Json.tree(login.body().getBytes(StandardCharsets.UTF_8)).get("access_token").asText();
    }

    @Test
    @Order(8)
    void firewallBlocksAnInjectionNamingAnIncidentButNoRule() throws IOException {
        RawHttp.Reply attack = RawHttp.send("127.0.0.1", resolveEdge(), "GET",
                "/api/products/1?ref=1%27%20or%20%271%27%3D%271", HOST, Map.of(), null);
        assertThat(attack.status()).isEqualTo(403);
        assertThat(hopNames(attack)).containsExactly("edge", "firewall");
        assertThat(attack.body()).contains("incidentId").doesNotContain("SQLI").doesNotContain("or '1'");
        RawHttp.Reply clean = RawHttp.send("127.0.0.1", resolveEdge(), "GET", "/api/products/1?ref=O%27Brien%20%26%20Sons",
                HOST, Map.of(), null);
        assertThat(clean.status()).isEqualTo(200);
    }

    @Test
    @Order(9)
    void aGatewayResettingConnectionsOnPurposeCostsReadsNothing() throws Exception {
        String admin = HostPort.of(stack.hop("gateway-1").adminAddress()).toString();
        // what `./flow break gateway-1 --reset 100` sends: connections closed with no answer, as a crash would
        int code = new picocli.CommandLine(new io.requestflow.cli.BreakCommand())
                .execute("gateway-1", "--reset", "100", "--for", "1m", "--admin", admin);
        assertThat(code).isZero();
        try {
            Map<String, String> pass = Map.of("Cache-Control", "no-cache");
            // four: below outlier ejection's five consecutive failures, so gateway-1 is back in rotation at once
            for (int i = 0; i < 4; i++) {
                RawHttp.Reply reply = get("/api/products/5", pass);
                assertThat(reply.status()).as("a reset GET is retried on gateway-2: " + reply.body()).isEqualTo(200);
                assertThat(balancerPick(reply)).startsWith("gateway-2");
                sleep(350); // within the retry budget's floor of 3 retries a second
            }
        } finally {
            assertThat(new picocli.CommandLine(new io.requestflow.cli.HealCommand()).execute("gateway-1", "--admin", admin))
                    .isZero();
        }
    }

    @Test
    @Order(10)
    void balancerAlternatesAndStopsSendingToAStoppedInstance() throws Exception {
        List<String> picked = new ArrayList<>();
        Map<String, String> pass = Map.of("Cache-Control", "no-cache"); // past the edge cache, every time
        for (int i = 0; i < 6; i++) picked.add(balancerPick(get("/api/products/3", pass)));
        assertThat(picked).contains("gateway-1", "gateway-2");
        for (int i = 1; i < picked.size(); i++) assertThat(picked.get(i)).isNotEqualTo(picked.get(i - 1));

        stack.stop("gateway-2");
        // even before the health check notices, a refused connection is retried on the other instance
        for (int i = 0; i < 6; i++) assertThat(get("/api/products/3", pass).status()).isEqualTo(200);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        String targets;
        do {
            Thread.sleep(100);
            targets = RawHttp.send("127.0.0.1", stack.hop("balancer").adminAddress(), "GET", "/targets", "x",
                    Map.of(), null).body();
        } while (!targets.contains("\"healthy\":false") && System.nanoTime() < deadline);
        assertThat(targets).contains("\"healthy\":false");
        for (int i = 0; i < 6; i++) {
            RawHttp.Reply reply = get("/api/products/3", pass);
            assertThat(reply.status()).isEqualTo(200);
            assertThat(balancerPick(reply)).isEqualTo("gateway-1");
        }
    }

    @Test
    @Order(20)
    void flowScaleStartsAndDrainsGatewayInstancesInTheRunningProcess() throws Exception {
        String admin = HostPort.of(stack.hop("balancer").adminAddress()).toString();
        // what `./flow scale gateway 2` runs, against this process's balancer admin port
        int code = new picocli.CommandLine(new io.requestflow.cli.ScaleCommand()).execute("gateway", "2", "--admin", admin);
        assertThat(code).isZero();
        java.util.Set<String> picked = new java.util.HashSet<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (picked.size() < 2 && System.nanoTime() < deadline) {
            RawHttp.Reply reply = get("/api/products/3", Map.of("Cache-Control", "no-cache"));
            assertThat(reply.status()).isEqualTo(200);
            picked.add(balancerPick(reply).split(" ")[0]);
        }
        assertThat(picked).containsExactlyInAnyOrder("gateway-1", "gateway-3");

        code = new picocli.CommandLine(new io.requestflow.cli.ScaleCommand()).execute("gateway", "1", "--admin", admin);
        assertThat(code).isZero();
        for (int i = 0; i < 6; i++) {
            RawHttp.Reply reply = get("/api/products/3", Map.of("Cache-Control", "no-cache"));
            assertThat(reply.status()).isEqualTo(200);
            assertThat(balancerPick(reply)).isEqualTo("gateway-1");
        }
    }

    @Test
    @Order(30)
    void redisStoppedOnPurposeCostsNoErrorsAndComesBackWhenHealed() throws Exception {
        String admin = HostPort.of(stack.hop("balancer").adminAddress()).toString();
        Map<String, String> fresh = Map.of("Cache-Control", "no-cache");
        int code = new picocli.CommandLine(new io.requestflow.cli.BreakCommand())
                .execute("redis", "--for", "1m", "--admin", admin);
        assertThat(code).isZero();
        RawHttp.Reply reply = get("/api/products/44", fresh);
        assertThat(reply.status()).as("reads fall through to PostgreSQL").isEqualTo(200);
        assertThat(ServerTiming.parse(reply.header("server-timing")))
                .anySatisfy(e -> assertThat(e.name() + " " + e.desc()).isEqualTo("redis error"))
                .anySatisfy(e -> assertThat(e.name()).isEqualTo("postgres"));

        code = new picocli.CommandLine(new io.requestflow.cli.HealCommand()).execute("redis", "--admin", admin);
        assertThat(code).isZero();
        assertThat(RawHttp.send("127.0.0.1", stack.hop("balancer").adminAddress(), "GET", "/data", "x", Map.of(), null)
                .body()).contains("\"redis\":\"ok\"");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String desc;
        do {
            Thread.sleep(200);
            desc = ServerTiming.parse(get("/api/products/44", fresh).header("server-timing")).stream()
                    .filter(e -> e.name().equals("redis")).findFirst().map(ServerTiming.Entry::desc).orElse("none");
        } while (desc.equals("error") && System.nanoTime() < deadline);
        assertThat(desc).as("the catalog's client reconnected by itself").isIn("hit", "miss");
    }

    @Test
    @Order(31)
    void theReplicaPausedOnPurposeIsReportedAndResumed() throws Exception {
        var admin = stack.hop("balancer").adminAddress();
        RawHttp.Reply paused = RawHttp.send("127.0.0.1", admin, "POST", "/data?store=replica&action=break&forSeconds=60",
                "x", Map.of(), null);
        assertThat(paused.status()).isEqualTo(200);
        assertThat(paused.body()).contains("\"replica\":\"replay paused (");
        assertThat(get("/api/products/45", Map.of()).status()).isEqualTo(200);
        RawHttp.Reply resumed = RawHttp.send("127.0.0.1", admin, "POST", "/data?store=replica&action=heal", "x", Map.of(), null);
        assertThat(resumed.body()).contains("\"replica\":\"ok\"");
        assertThat(RawHttp.send("127.0.0.1", admin, "POST", "/data?store=disk&action=break", "x", Map.of(), null).status())
                .isEqualTo(400);
    }

    @Test
    @Order(32)
    void ordersGoOnWhileKafkaIsBrokenAndAreConfirmedOnceItIsBack() throws Exception {
        var admin = stack.hop("balancer").adminAddress();
        String token = login();
        RawHttp.Reply stopped = RawHttp.send("127.0.0.1", admin, "POST", "/data?store=kafka&action=break&forSeconds=120",
                "x", Map.of(), null);
        assertThat(stopped.body()).contains("\"kafka\":\"stopped (");
        RawHttp.Reply placed = post("/api/orders", "{\"items\":[{\"productId\":9,\"quantity\":1}]}",
                Map.of("Authorization", "Bearer " + token, "Content-Type", "application/json"));
        assertThat(placed.status()).as("the order does not wait for the queue").isEqualTo(201);
        long id = Json.tree(placed.body().getBytes(StandardCharsets.UTF_8)).get("id").asLong();
        sleep(500);
        assertThat(orderStatus(id, token)).isEqualTo("placed");

        RawHttp.Reply healed = RawHttp.send("127.0.0.1", admin, "POST", "/data?store=kafka&action=heal", "x", Map.of(), null);
        assertThat(healed.body()).contains("\"kafka\":\"ok\"");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!orderStatus(id, token).equals("confirmed") && System.nanoTime() < deadline) sleep(200);
        assertThat(orderStatus(id, token)).as("the outbox row waited, then went through").isEqualTo("confirmed");
    }

    @Test
    @Order(33)
    void thePrimaryStoppedOnPurposeLeavesReadsOnTheReplicaFailsWritesClearlyAndComesBack() throws Exception {
        var admin = stack.hop("balancer").adminAddress();
        String token = login();
        String order = "{\"items\":[{\"productId\":11,\"quantity\":1}]}";
        Map<String, String> orderHeaders = Map.of("Authorization", "Bearer " + token, "Content-Type", "application/json");
        RawHttp.Reply stopped = RawHttp.send("127.0.0.1", admin, "POST", "/data?store=postgres&action=break&forSeconds=120",
                "x", Map.of(), null);
        assertThat(stopped.body()).contains("\"postgres\":\"stopped (");
        try {
            // never read before, so neither the edge nor Redis has it: the catalog reads the replica
            RawHttp.Reply read = get("/api/products/57", Map.of());
            assertThat(read.status()).as("reads go on from the replica: " + read.body()).isEqualTo(200);
            RawHttp.Reply write = post("/api/orders", order, orderHeaders);
            assertThat(write.status()).as(write.body()).isEqualTo(503);
            assertThat(write.header("content-type")).startsWith("application/problem+json");
            assertThat(write.body()).doesNotContain("Exception").doesNotContain("at io.");
            RawHttp.Reply rotate = RawHttp.send("127.0.0.1", stack.hop("auth").adminAddress(), "POST", "/keys/rotate",
                    "", Map.of(), null);
            assertThat(rotate.status()).as("the signing keys live in the primary: " + rotate.body()).isEqualTo(503);
            assertThat(rotate.body()).contains("not rotated").doesNotContain("Exception");
        } finally {
            RawHttp.Reply healed = RawHttp.send("127.0.0.1", admin, "POST", "/data?store=postgres&action=heal", "x",
                    Map.of(), null);
            assertThat(healed.body()).contains("\"postgres\":\"ok\"");
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        RawHttp.Reply placed = post("/api/orders", order, orderHeaders);
        while (placed.status() != 201 && System.nanoTime() < deadline) {
            sleep(250);
            placed = post("/api/orders", order, orderHeaders);
        }
        assertThat(placed.status()).as("writes resume once the primary is back: " + placed.body()).isEqualTo(201);
    }

    static String orderStatus(long id, String token) throws IOException {
        return Json.tree(get("/api/orders/" + id, Map.of("Authorization", "Bearer " + token)).body()
                .getBytes(StandardCharsets.UTF_8)).get("status").asText();
    }

    static String balancerPick(RawHttp.Reply reply) {
        return ServerTiming.parse(reply.header("server-timing")).stream()
                .filter(e -> e.name().equals("balancer")).findFirst().orElseThrow().desc();
    }

    @Test
    @Order(6)
    void httpsWithHttp2ReachesTheProductThroughTheEdgeTrustingOnlyTheLocalCa() throws Exception {
        javax.net.ssl.SSLContext ssl;
        try (var in = java.nio.file.Files.newInputStream(dataDir.resolve("ca").resolve("ca.pem"))) {
            ssl = Http.trusting((java.security.cert.X509Certificate)
                    java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        var client = java.net.http.HttpClient.newBuilder().sslContext(ssl)
                .version(java.net.http.HttpClient.Version.HTTP_2).connectTimeout(Duration.ofSeconds(3)).build();
        var uri = java.net.URI.create("https://localhost:" + stack.hop("edge").tlsAddress().getPort() + "/api/products/42");
        var reply = client.send(java.net.http.HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(reply.version()).isEqualTo(java.net.http.HttpClient.Version.HTTP_2);
        assertThat(reply.statusCode()).isEqualTo(200);
        assertThat(Json.tree(reply.body().getBytes(StandardCharsets.UTF_8)).get("id").asLong()).isEqualTo(42);
        assertThat(ServerTiming.parse(reply.headers().firstValue("server-timing").orElseThrow()).getFirst().name())
                .isEqualTo("edge");
    }

    @Test
    @Order(7)
    void productImagesAreCachedAtTheEdgeForAnHourAndPurgedBySurrogateKey() throws IOException {
        RawHttp.Reply first = get("/images/products/42.svg", Map.of());
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.header("content-type")).isEqualTo("image/svg+xml");
        assertThat(first.header("cache-control")).isEqualTo("public, max-age=3600");
        assertThat(first.body()).startsWith("<svg").contains("product 42");
        RawHttp.Reply second = get("/images/products/42.svg", Map.of());
        assertThat(second.header("x-cache")).isEqualTo("HIT");
        assertThat(second.body()).isEqualTo(first.body());
        RawHttp.Reply purge = RawHttp.send("127.0.0.1", stack.hop("edge").adminAddress(), "POST",
                "/cache/purge?key=product-42", "x", Map.of(), null);
        assertThat(purge.status()).isEqualTo(200);
        assertThat(get("/images/products/42.svg", Map.of()).header("x-cache")).isEqualTo("MISS");
        assertThat(get("/images/products/x.svg", Map.of()).status()).isEqualTo(400);
    }
}
