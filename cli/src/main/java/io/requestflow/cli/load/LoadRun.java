package io.requestflow.cli.load;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.ssl.SslContext;
import io.requestflow.cli.Flow;
import io.requestflow.cli.get.ClientTls;
import io.requestflow.cli.get.DnsLookup;
import io.requestflow.cli.get.HeaderField;
import io.requestflow.cli.get.HttpProbe;
import io.requestflow.cli.get.ProbeException;
import io.requestflow.cli.get.ProbeRequest;
import io.requestflow.cli.get.ProbeResult;
import io.requestflow.engine.http.Json;

import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * One load run: resolve the front door through the project's DNS, log in when the mix needs a token,
 * then send on schedule (open loop) or as N virtual users (closed loop), record every outcome, and wait
 * for the last replies. The result is the {@link Recorder}'s snapshot plus what the generator itself did.
 */
public final class LoadRun {
    private final Scenario scenario;
    private final PrintStream progress;
    private final Consumer<Outcome> listener;

    /** What a run produced. */
    public record Result(Scenario scenario, Recorder.Snapshot snapshot, Instant started, double measuredSeconds,
                         double expectedRequests, long sent, double maxLagMs, long connectionsOpened,
                         String target, InetSocketAddress address, String loginNote, long originNanos,
                         String loadBefore, String loadAfter) {}

    /** The machine's load average (1, 5, 15 min) from /proc/loadavg, or "n/a": the conditions of the run. */
    static String loadAverage() {
        try {
            String[] f = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (java.io.IOException | RuntimeException e) {
            return "n/a";
        }
    }

    /**
     * @param progress where the live progress line goes (null: none)
     * @param listener sees every outcome as it is recorded (null: none); tests use it to check each request
     */
    public LoadRun(Scenario scenario, PrintStream progress, Consumer<Outcome> listener) {
        this.scenario = scenario.validate();
        this.progress = progress;
        this.listener = listener;
    }

    public Result run() throws InterruptedException {
        return runAt(null);
    }

    /**
     * Runs against {@code address} (an IP literal) instead of what DNS says for the target's host, which
     * still names TLS and the Host header; null resolves through the project's DNS as {@link #run()} does.
     */
    public Result runAt(String address) throws InterruptedException {
        URI uri = ProbeRequest.parseUrl(scenario.target);
        boolean tls = uri.getScheme().equals("https");
        int port = uri.getPort() > 0 ? uri.getPort() : tls ? 443 : 80;
        String host = uri.getHost();
        InetSocketAddress dns = dnsServer(scenario.dns);
        boolean fixed = address != null || DnsLookup.literal(host).isPresent();
        InetAddress resolved = address != null ? DnsLookup.literal(address).orElseThrow(
                () -> new IllegalArgumentException(address + " is not an IP address"))
                : DnsLookup.literal(host).isPresent() ? DnsLookup.literal(host).get() : resolve(host, dns);
        InetSocketAddress remote = new InetSocketAddress(resolved, port);
        SslContext ssl = null;
        if (tls) {
            try {
                Path ca = scenario.caFile != null ? Path.of(scenario.caFile) : Flow.home().resolve(ClientTls.DEPLOYMENT_CA);
                ssl = ClientTls.context(ca, scenario.http2 ? List.of("h2", "http/1.1") : List.of());
            } catch (ProbeException e) {
                throw new IllegalStateException("TLS set-up failed: " + e.getMessage(), e);
            }
        }
        String hostHeader = uri.getPort() > 0 ? host + ":" + uri.getPort() : host;
        LoadClient.Resolver resolver = fixed ? null : source -> DnsLookup.resolve(host, dns, scenario.connectTimeoutMs, source);
        Workload workload = new Workload(scenario);
        int threads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        // a name is looked up from each client's own address, as its own resolver would: GeoDNS may answer each
        // region with its nearest edge
        java.util.Map<InetAddress, InetSocketAddress> remotes = new java.util.HashMap<>();
        if (!fixed) {
            for (InetAddress source : workload.sources()) remotes.put(source, new InetSocketAddress(resolve(host, dns, source), port));
        }
        try (LoadClient client = new LoadClient(scenario, remote, source -> remotes.getOrDefault(source, remote),
                hostHeader, host, ssl, resolver, workload.sources(), threads)) {
            String loginNote = login(client, uri, dns);
            Schedule schedule = new Schedule(scenario);
            long origin = System.nanoTime() + (long) (scenario.warmupSeconds * 1e9) + 50_000_000L;
            List<String> names = scenario.endpoints.stream().map(Scenario.Endpoint::name).toList();
            Recorder recorder = new Recorder(names, origin);
            AtomicLong inflight = new AtomicLong();
            AtomicLong sent = new AtomicLong();
            double[] maxLag = new double[1];
            Instant started = Instant.now();
            String loadBefore = loadAverage();
            Consumer<Outcome> done = o -> {
                recorder.record(o, workload.region(o.planned().source()));
                if (listener != null) listener.accept(o);
                inflight.decrementAndGet();
            };
            Thread ticker = progress == null ? null : Thread.ofPlatform().daemon().name("load-progress")
                    .start(() -> progressLoop(recorder, schedule, origin, inflight));
            try {
                if (scenario.users > 0) {
                    closedLoop(client, workload, origin, done, inflight, sent);
                } else {
                    openLoop(client, workload, schedule, origin, done, inflight, sent, maxLag);
                }
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(scenario.timeoutMs + 2_000);
                while (inflight.get() > 0 && System.nanoTime() < deadline) Thread.sleep(5);
            } finally {
                if (ticker != null) {
                    ticker.interrupt();
                    ticker.join(1_000);
                    progress.print("\r" + " ".repeat(100) + "\r");
                    progress.flush();
                }
            }
            double measured = scenario.durationSeconds;
            double expected = scenario.users > 0 ? 0 : schedule.expectedRequests();
            return new Result(scenario, recorder.snapshot(), started, measured, expected, sent.get(), maxLag[0],
                    client.connectionsOpened(), scenario.target, remote, loginNote, origin, loadBefore, loadAverage());
        }
    }

    private void openLoop(LoadClient client, Workload workload, Schedule schedule, long origin,
                          Consumer<Outcome> done, AtomicLong inflight, AtomicLong sent, double[] maxLag)
            throws InterruptedException {
        double t = schedule.start();
        while (t < schedule.end()) {
            long intended = origin + (long) (t * 1e9);
            long wait;
            while ((wait = intended - System.nanoTime()) > 0) {
                // stopped (the console's Stop): an interrupted park returns at once, so check rather than spin
                if (Thread.interrupted()) throw new InterruptedException("the load run was stopped");
                // park most of the wait, spin the last 100 µs: the send time is the measurement's zero
                if (wait > 200_000) LockSupport.parkNanos(wait - 100_000);
                else Thread.onSpinWait();
            }
            double lag = (System.nanoTime() - intended) / 1e6;
            if (lag > maxLag[0]) maxLag[0] = lag;
            Workload.Planned planned = workload.next();
            inflight.incrementAndGet();
            sent.incrementAndGet();
            client.send(planned, intended, done);
            t = schedule.next(t, workload.random());
        }
    }

    private void closedLoop(LoadClient client, Workload workload, long origin, Consumer<Outcome> done,
                            AtomicLong inflight, AtomicLong sent) throws InterruptedException {
        long end = origin + (long) (scenario.durationSeconds * 1e9);
        long first = origin - (long) (scenario.warmupSeconds * 1e9);
        while (System.nanoTime() < first) {
            if (Thread.interrupted()) throw new InterruptedException("the load run was stopped");
            LockSupport.parkNanos(first - System.nanoTime());
        }
        CountDownLatch users = new CountDownLatch(scenario.users);
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        Object draw = new Object();
        try {
            for (int u = 0; u < scenario.users; u++) {
                new Object() {
                    void go() {
                        long now = System.nanoTime();
                        if (now >= end) {
                            users.countDown();
                            return;
                        }
                        Workload.Planned planned;
                        synchronized (draw) {
                            planned = workload.next();
                        }
                        inflight.incrementAndGet();
                        sent.incrementAndGet();
                        // a closed loop measures from the actual send: each user waits for its reply first
                        client.send(planned, now, o -> {
                            done.accept(o);
                            timer.schedule(this::go, scenario.thinkMs, TimeUnit.MILLISECONDS);
                        });
                    }
                }.go();
            }
            users.await(scenario.timeoutMs + (long) ((scenario.durationSeconds + scenario.warmupSeconds) * 1000) + 5000,
                    TimeUnit.MILLISECONDS);
        } finally {
            timer.shutdownNow();
        }
    }

    private void progressLoop(Recorder recorder, Schedule schedule, long origin, AtomicLong inflight) {
        long last = 0;
        long lastAt = System.nanoTime();
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(1_000);
            } catch (InterruptedException e) {
                return;
            }
            Recorder.Snapshot s = recorder.snapshot();
            long now = System.nanoTime();
            double t = (now - origin) / 1e9;
            double rate = (s.count() - last) / ((now - lastAt) / 1e9);
            last = s.count();
            lastAt = now;
            String line = t < 0
                    ? String.format(Locale.ROOT, "  warm-up %4.0fs left  in flight %d", -t, inflight.get())
                    : String.format(Locale.ROOT, "  %5.0fs/%.0fs %-9s %7.1f req/s (target %.0f)  p50 %s  p99 %s"
                            + "  errors %d  in flight %d", t, schedule.end(), schedule.phaseAt(t), rate,
                    scenario.users > 0 ? 0 : schedule.rateAt(t), ms(s.all().getValueAtPercentile(50)),
                    ms(s.all().getValueAtPercentile(99)), s.errorCount(), inflight.get());
            progress.print("\r" + line + "   ");
            progress.flush();
        }
    }

    private static String ms(long micros) {
        return String.format(Locale.ROOT, "%.1f ms", micros / 1000.0);
    }

    /** Logs in once when some endpoint needs a bearer token; a failure is reported, not fatal. */
    private String login(LoadClient client, URI target, InetSocketAddress dns) {
        if (scenario.endpoints.stream().noneMatch(e -> e.auth() && e.weight() > 0)) return "not needed";
        String body = "{\"username\":" + Json.MAPPER.valueToTree(scenario.username) + ",\"password\":"
                + Json.MAPPER.valueToTree(scenario.password) + "}";
        Path ca = scenario.caFile != null ? Path.of(scenario.caFile) : Flow.home().resolve(ClientTls.DEPLOYMENT_CA);
        io.netty.channel.EventLoopGroup group = io.requestflow.engine.net.Transport.newGroup("load-login", 1);
        try (HttpProbe probe = new HttpProbe(group, ca)) {
            ProbeResult r = probe.call(new ProbeRequest("POST", target.resolve("/api/login"),
                    List.of(new HeaderField("Content-Type", "application/json")),
                    body.getBytes(StandardCharsets.UTF_8), dns, scenario.timeoutMs, 1 << 20));
            JsonNode json = Json.tree(r.body());
            if (r.status() == 200 && json != null && json.hasNonNull("access_token")) {
                client.bearer(json.get("access_token").asText());
                return "logged in as " + scenario.username;
            }
            return "login answered " + r.status() + "; authenticated endpoints are sent without a token";
        } catch (ProbeException e) {
            return "login failed (" + e.getMessage() + "); authenticated endpoints are sent without a token";
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    private static InetAddress resolve(String host, InetSocketAddress dns) {
        return resolve(host, dns, null);
    }

    /** {@code host}'s address as DNS answers a client at {@code source} (null: this machine's own address). */
    private static InetAddress resolve(String host, InetSocketAddress dns, InetAddress source) {
        try {
            return DnsLookup.resolve(host, dns, 5_000, source).get(6, TimeUnit.SECONDS);
        } catch (Exception e) {
            Throwable c = e.getCause() != null ? e.getCause() : e;
            throw new IllegalArgumentException("cannot resolve " + host + " via DNS " + dns.getHostString() + ":"
                    + dns.getPort() + ": " + c.getMessage(), c);
        }
    }

    /** HOST:PORT (IPv4 or a bracketed IPv6 address); port 53 when left out. */
    static InetSocketAddress dnsServer(String text) {
        String s = text.trim();
        int colon = s.lastIndexOf(':');
        String host = s;
        int port = 53;
        if (colon > 0 && (s.indexOf(':') == colon || s.startsWith("["))) {
            host = s.substring(0, colon);
            try {
                port = Integer.parseInt(s.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("dns '" + text + "' is not HOST:PORT");
            }
        }
        host = host.replace("[", "").replace("]", "");
        return new InetSocketAddress(DnsLookup.literal(host).orElseThrow(
                () -> new IllegalArgumentException("dns '" + text + "' must be an IP address and port")), port);
    }
}
