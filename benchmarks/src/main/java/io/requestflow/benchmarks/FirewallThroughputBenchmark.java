package io.requestflow.benchmarks;

import io.requestflow.engine.admin.AdminServer;
import io.requestflow.engine.client.ClientConfig;
import io.requestflow.engine.hop.Engine;
import io.requestflow.engine.hop.HttpHop;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.net.HostPort;
import io.requestflow.engine.pipeline.Stage;
import io.requestflow.engine.proxy.Forwarder;
import io.requestflow.engine.server.HttpServer;
import io.requestflow.engine.server.ServerConfig;
import io.requestflow.firewall.FirewallConfig;
import io.requestflow.firewall.FirewallHop;
import io.requestflow.firewall.WafStage;
import io.requestflow.firewall.ratelimit.RateLimitConfig;
import io.requestflow.firewall.waf.WafConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The firewall hop's throughput over real sockets with its rules on (raw protocol checks, WAF, bot
 * signals; rate limit off so the benchmark is not throttled) against the same hop with the WAF stage and
 * raw checks removed, in one run: two firewalls in front of one origin that answers 200, each of the three on
 * event loops of its own (as separate processes would be), keep-alive connections, four client threads, each
 * replaying the request mix of {@link #requests} from its own offset.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
@Threads(4)
@State(Scope.Benchmark)
public class FirewallThroughputBenchmark {
    /** Distinct requests in the mix; each client thread starts at its own offset and cycles through them. */
    static final int MIX = 10_000;
    /**
     * The request mix, see {@link #requests}; with {@code -Dfirewall.mix=repeated} one request of it over and
     * over, so every value is remembered clean and only what each request pays regardless is measured.
     */
    static final List<byte[]> REQUESTS = "repeated".equals(System.getProperty("firewall.mix"))
            ? java.util.Collections.nCopies(MIX, requests(2, 20261122L).get(1)) : requests(MIX, 20261122L);

    /**
     * Product searches from the project's benign corpus generator ({@code BenignCorpus.searches}: search
     * words from its product list in many languages, page 1-30, one of five sort orders, half of them with
     * a price range; one of its browser User-Agents and Accept-Languages), each sent with a session cookie
     * of its own (random id, plus theme and consent) and a Referer that is the previous search's page, so
     * the query, the target, the cookie and the Referer differ from one request to the next; User-Agent,
     * Accept and Accept-Language repeat, as a browser's do.
     */
    static List<byte[]> requests(int count, long seed) {
        java.util.Random random = new java.util.Random(seed);
        List<byte[]> out = new java.util.ArrayList<>(count);
        String previous = "/";
        for (io.requestflow.engine.http.Request r : io.requestflow.firewall.BenignCorpus.searches(count, seed)) {
            StringBuilder b = new StringBuilder(600).append(r.method()).append(' ').append(r.uri()).append(" HTTP/1.1\r\n");
            for (Map.Entry<String, String> h : r.headers()) {
                String name = h.getKey();
                if (name.equalsIgnoreCase("cookie") || name.equalsIgnoreCase("referer")) continue;
                b.append(name).append(": ").append(h.getValue()).append("\r\n");
            }
            b.append("cookie: session=").append(Long.toHexString(random.nextLong())).append("; theme=dark; consent=yes\r\n");
            b.append("referer: https://shop.requestflow.test").append(previous).append("\r\n\r\n");
            previous = r.uri();
            out.add(b.toString().getBytes(StandardCharsets.UTF_8));
        }
        return List.copyOf(out);
    }

    /** The origin's, and each hop's, own event loops: in a deployment they are separate processes, and each one's CPU is its own. */
    Engine originEngine;
    Engine onEngine;
    Engine offEngine;
    private HttpServer origin;
    private FirewallHop firewall;
    HttpHop rulesOn;
    HttpHop rulesOff;

    @Setup
    public void start() {
        // the hops as `flow` runs them: without Netty's buffer-leak sampling (a stack trace per sampled buffer),
        // unless -Dio.netty.leakDetection.level asks for it
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            io.netty.util.ResourceLeakDetector.setLevel(io.netty.util.ResourceLeakDetector.Level.DISABLED);
        }
        originEngine = new Engine(2, 10);
        onEngine = new Engine(2, 10);
        offEngine = new Engine(2, 10);
        origin = HttpServer.start("origin", new HostPort("127.0.0.1", 0), ServerConfig.defaults(), originEngine.group(),
                r -> CompletableFuture.completedFuture(Response.text(200, "ok")));
        FirewallConfig config = FirewallConfig.defaults().withWaf(WafConfig.defaults().withAuditLog(""))
                .withRateLimit(new RateLimitConfig(0, 60_000, 50, 1000, 1000));
        firewall = new FirewallHop(config, null, null);
        rulesOn = hop(onEngine, "firewall-on", stages(onEngine, true), true);
        rulesOff = hop(offEngine, "firewall-off", stages(offEngine, false), false);
    }

    /** The threads of an engine's event loops (each started by a task if it was not yet). */
    static List<Thread> loopThreads(Engine engine) {
        List<Thread> threads = new java.util.ArrayList<>();
        for (var loop : engine.group()) threads.add(loop.submit(Thread::currentThread).syncUninterruptibly().getNow());
        return threads;
    }

    private List<Stage> stages(Engine engine, boolean rules) {
        var ctx = engine.hop("firewall", rules ? "on" : "off");
        List<Stage> all = firewall.stages(new Forwarder(ctx.client(ClientConfig.defaults())), HostPort.of(origin.address()));
        return rules ? all : all.stream().filter(s -> !(s instanceof WafStage)).toList();
    }

    private HttpHop hop(Engine engine, String name, List<Stage> stages, boolean raw) {
        var spec = new HttpHop.Spec(new HostPort("127.0.0.1", 0), new HostPort("127.0.0.1", 0), ServerConfig.defaults(),
                10_000);
        return HttpHop.start(engine.hop("firewall", name), spec, stages, AdminServer.Readiness.always(), Map.of(),
                raw ? firewall.rawInspector() : null);
    }

    @TearDown
    public void stop() throws Exception {
        rulesOn.close();
        rulesOff.close();
        firewall.close();
        origin.close();
        onEngine.close();
        offEngine.close();
        originEngine.close();
    }

    /** One keep-alive connection per client thread and hop. */
    @State(Scope.Thread)
    public static class Connections {
        private static final java.util.concurrent.atomic.AtomicInteger OFFSETS = new java.util.concurrent.atomic.AtomicInteger();

        Client on;
        Client off;

        @Setup(Level.Trial)
        public void open(FirewallThroughputBenchmark b) throws IOException {
            int offset = OFFSETS.getAndAdd(MIX / 4);
            on = new Client(b.rulesOn.address(), offset);
            off = new Client(b.rulesOff.address(), offset);
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            on.close();
            off.close();
        }
    }

    @Benchmark
    public int rulesOn(Connections c) throws IOException {
        return c.on.roundTrip();
    }

    @Benchmark
    public int referenceRulesOff(Connections c) throws IOException {
        return c.off.roundTrip();
    }

    /**
     * One keep-alive client per client thread to this address, client i starting at the i-th of {@code threads}
     * equal offsets into the request mix.
     */
    static List<Client> clients(InetSocketAddress address, int threads) throws IOException {
        List<Client> clients = new java.util.ArrayList<>(threads);
        for (int i = 0; i < threads; i++) clients.add(new Client(address, i * MIX / threads));
        return clients;
    }

    /** A minimal HTTP/1.1 keep-alive client: write the request, read one response by Content-Length. */
    static final class Client implements AutoCloseable {
        private final Socket socket;
        private final OutputStream out;
        private final InputStream in;
        private final byte[] buf = new byte[16 * 1024];

        private int next;

        Client(InetSocketAddress address) throws IOException {
            this(address, 0);
        }

        /** @param offset where in the request mix this client starts */
        Client(InetSocketAddress address, int offset) throws IOException {
            next = offset % REQUESTS.size();
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(address, 2000);
            socket.setSoTimeout(10_000);
            out = socket.getOutputStream();
            in = socket.getInputStream();
        }

        /** One request and its response, which must be a 200. */
        int roundTrip() throws IOException {
            int status = exchange();
            if (status != 200) throw new IOException("status " + status);
            return status;
        }

        /** One request and its response, whatever its status (returned). */
        int exchange() throws IOException {
            out.write(REQUESTS.get(next));
            next = (next + 1) % REQUESTS.size();
            out.flush();
            int len = 0;
            int headEnd = -1;
            int contentLength = -1;
            while (true) {
                int n = in.read(buf, len, buf.length - len);
                if (n < 0) throw new IOException("connection closed");
                len += n;
                if (headEnd < 0) {
                    headEnd = indexOf(buf, len);
                    if (headEnd >= 0) contentLength = contentLength(new String(buf, 0, headEnd, StandardCharsets.ISO_8859_1));
                }
                if (headEnd >= 0 && len >= headEnd + 4 + contentLength) {
                    return (buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0');
                }
            }
        }

        private static int indexOf(byte[] b, int len) {
            for (int i = 0; i + 3 < len; i++) {
                if (b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '\r' && b[i + 3] == '\n') return i;
            }
            return -1;
        }

        private static int contentLength(String head) {
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).equalsIgnoreCase("content-length")) {
                    return Integer.parseInt(line.substring(colon + 1).trim());
                }
            }
            return 0;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
