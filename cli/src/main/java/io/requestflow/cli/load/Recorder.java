package io.requestflow.cli.load;

import io.requestflow.cli.get.Waterfall;
import io.requestflow.engine.trace.ServerTiming;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Everything a run measured: HdrHistograms of latency (overall, per endpoint, per second of the run, per
 * hop from {@code Server-Timing}, DNS lookups), every error by kind, status codes, and the cache and data
 * signals the responses carry. Values are recorded in microseconds. One lock; the generator's rates
 * (thousands per second) make that cheap next to the network.
 */
public final class Recorder {
    /** Latencies above this (10 minutes) are recorded as this; nothing is dropped. */
    public static final long HIGHEST_MICROS = TimeUnit.MINUTES.toMicros(10);
    private static final int DIGITS = 3;

    private final long originNanos;
    private final Histogram all = histogram();
    private final Histogram dns = histogram();
    private final Map<String, Endpoint> endpoints = new LinkedHashMap<>();
    private final Map<String, Histogram> hops = new LinkedHashMap<>();
    private final Map<String, Boolean> hopIsCall = new LinkedHashMap<>();
    private final EnumMap<Outcome.Kind, Long> errors = new EnumMap<>(Outcome.Kind.class);
    private final EnumMap<Outcome.Kind, String> examples = new EnumMap<>(Outcome.Kind.class);
    private final Map<Integer, Long> statuses = new TreeMap<>();
    private final List<Interval> timeline = new ArrayList<>();
    /** Latency by the client's region (its source addresses): with the WAN link on, distance shows here. */
    private final Map<String, Histogram> regions = new LinkedHashMap<>();
    private final Map<String, Long> protocols = new TreeMap<>();
    private long count;
    private long warmup;
    private long edgeHits;
    private long edgeMisses;
    private long redisHits;
    private long redisMisses;
    private long timed;
    private long dbQueries;
    private long replicaReads;
    private long primaryReads;
    private long freshConnections;

    /** Per endpoint: latency, statuses, and the internal calls behind each request (fan-out). */
    public static final class Endpoint {
        public final Histogram latency = histogram();
        public final Map<Integer, Long> statuses = new TreeMap<>();
        public long count;
        public long errors;
        public long internalCalls;
        public long timed;
        /** Each hop's own time (and each call's) on this endpoint's requests. */
        public final Map<String, Histogram> hops = new LinkedHashMap<>();
    }

    /** One second of the measured run, keyed by intended send time (latency) or completion time (throughput). */
    public static final class Interval {
        public final Histogram latency = histogram();
        public long completed;
        public long errors;
    }

    /** @param originNanos the {@link System#nanoTime()} at which the measured run starts */
    public Recorder(List<String> endpointNames, long originNanos) {
        this.originNanos = originNanos;
        for (String name : endpointNames) endpoints.put(name, new Endpoint());
    }

    static Histogram histogram() {
        return new Histogram(HIGHEST_MICROS, DIGITS);
    }

    private static long micros(long nanos) {
        return Math.max(0, Math.min(HIGHEST_MICROS, TimeUnit.NANOSECONDS.toMicros(nanos)));
    }

    /** Records one outcome; those intended before the measured run (warm-up) are only counted. */
    public synchronized void record(Outcome o, String region) {
        if (o.intendedNanos() < originNanos) {
            warmup++;
            return;
        }
        count++;
        long latency = micros(o.latencyNanos());
        all.recordValue(latency);
        Endpoint e = endpoints.computeIfAbsent(o.planned().name(), n -> new Endpoint());
        e.count++;
        e.latency.recordValue(latency);
        if (o.status() > 0) {
            statuses.merge(o.status(), 1L, Long::sum);
            e.statuses.merge(o.status(), 1L, Long::sum);
        }
        if (o.error() != null) {
            errors.merge(o.error(), 1L, Long::sum);
            examples.putIfAbsent(o.error(), o.planned().method() + " " + o.planned().path() + ": " + o.detail());
            e.errors++;
        }
        regions.computeIfAbsent(region, r -> histogram()).recordValue(latency);
        if (o.protocol() != null) protocols.merge(o.protocol(), 1L, Long::sum);
        interval(o.intendedNanos()).latency.recordValue(latency);
        Interval done = interval(o.endNanos());
        done.completed++;
        if (o.error() != null) done.errors++;
        if (o.dnsNanos() >= 0) dns.recordValue(micros(o.dnsNanos()));
        if (o.planned().fresh()) freshConnections++;
        boolean edgeKnown = edgeSignal(o.edgeCache());
        if (o.serverTiming() != null) timing(ServerTiming.parse(o.serverTiming()), e, edgeKnown);
    }

    private Interval interval(long nanos) {
        int i = (int) Math.max(0, (nanos - originNanos) / 1_000_000_000L);
        while (timeline.size() <= i) timeline.add(new Interval());
        return timeline.get(i);
    }

    /** Counts an edge HIT or MISS; false when the text carries neither. */
    private boolean edgeSignal(String text) {
        Boolean hit = cacheHit(text);
        if (hit == null) return false;
        if (hit) edgeHits++;
        else edgeMisses++;
        return true;
    }

    /** HIT/MISS from X-Cache ("HIT", "MISS from edge"), Cache-Status ("edge; hit", "edge; fwd=miss") or a desc. */
    static Boolean cacheHit(String text) {
        if (text == null || text.isBlank()) return null;
        String t = text.toLowerCase(Locale.ROOT);
        if (t.contains("fwd=") || t.contains("miss") || t.contains("expired") || t.contains("bypass")) return false;
        if (t.contains("hit") || t.contains("stale")) return true;
        return null;
    }

    private void timing(List<ServerTiming.Entry> entries, Endpoint e, boolean edgeKnown) {
        if (entries.isEmpty()) return;
        timed++;
        e.timed++;
        Map<String, Double> calls = new LinkedHashMap<>();
        int firstService = -1;
        List<Waterfall.Row> rows = Waterfall.rows(entries);
        for (int i = 0; i < rows.size(); i++) {
            Waterfall.Row r = rows.get(i);
            String name = r.name().toLowerCase(Locale.ROOT);
            if (r.call()) {
                calls.merge(name, r.durMs(), Double::sum);
                if (name.startsWith("redis")) {
                    Boolean hit = r.desc() == null ? null : r.desc().equalsIgnoreCase("hit") ? Boolean.TRUE
                            : r.desc().equalsIgnoreCase("miss") ? Boolean.FALSE : null;
                    if (hit != null && hit) redisHits++;
                    else if (hit != null) redisMisses++;
                } else if (name.startsWith("postgres") || name.startsWith("pg") || name.startsWith("db")
                        || name.startsWith("sql")) {
                    dbQueries++;
                    String d = r.desc() == null ? "" : r.desc().toLowerCase(Locale.ROOT);
                    if (d.contains("replica")) replicaReads++;
                    else if (d.contains("primary")) primaryReads++;
                }
            } else {
                if (r.selfMs() != null) {
                    long us = micros((long) (r.selfMs() * 1_000_000));
                    hop(name, false).recordValue(us);
                    e.hops.computeIfAbsent(name, n -> histogram()).recordValue(us);
                }
                if (name.equals("edge") && !edgeKnown) edgeKnown = edgeSignal(r.desc()); // no header: the desc
                if (firstService < 0 && !FRONT.contains(name)) firstService = i;
            }
        }
        for (Map.Entry<String, Double> c : calls.entrySet()) {
            long us = micros((long) (c.getValue() * 1_000_000));
            hop(c.getKey(), true).recordValue(us);
            e.hops.computeIfAbsent(c.getKey(), n -> histogram()).recordValue(us);
        }
        if (firstService >= 0) e.internalCalls += rows.size() - firstService - 1;
    }

    /** The hops in front of the services (the path every request crosses). */
    static final java.util.Set<String> FRONT = java.util.Set.of("edge", "firewall", "balancer", "gateway");

    /**
     * A hop's or a call's histogram. A service is a hop on its own route and a call in the page's fan-out
     * (reviews): the second kind seen gets its own row, marked, rather than sharing the first one's.
     */
    private Histogram hop(String name, boolean call) {
        Boolean seenAs = hopIsCall.get(name);
        String key = seenAs == null || seenAs == call ? name : name + (call ? " (call)" : " (hop)");
        hopIsCall.putIfAbsent(key, call);
        return hops.computeIfAbsent(key, n -> histogram());
    }

    synchronized long count() {
        return count;
    }

    /** A consistent copy of everything, for the report and the progress line. */
    public synchronized Snapshot snapshot() {
        Map<String, Endpoint> eps = new LinkedHashMap<>();
        for (var en : endpoints.entrySet()) {
            Endpoint c = new Endpoint();
            c.latency.add(en.getValue().latency);
            c.statuses.putAll(en.getValue().statuses);
            c.count = en.getValue().count;
            c.errors = en.getValue().errors;
            c.internalCalls = en.getValue().internalCalls;
            c.timed = en.getValue().timed;
            en.getValue().hops.forEach((k, v) -> c.hops.put(k, v.copy()));
            eps.put(en.getKey(), c);
        }
        Map<String, Histogram> hs = new LinkedHashMap<>();
        hops.forEach((k, v) -> hs.put(k, v.copy()));
        Map<String, Histogram> rs = new LinkedHashMap<>();
        regions.forEach((k, v) -> rs.put(k, v.copy()));
        List<Interval> tl = new ArrayList<>();
        for (Interval i : timeline) {
            Interval c = new Interval();
            c.latency.add(i.latency);
            c.completed = i.completed;
            c.errors = i.errors;
            tl.add(c);
        }
        return new Snapshot(count, warmup, all.copy(), dns.copy(), eps, hs, new LinkedHashMap<>(hopIsCall),
                new EnumMap<>(errors), new EnumMap<>(examples), new TreeMap<>(statuses), tl,
                rs, new TreeMap<>(protocols), edgeHits, edgeMisses, redisHits, redisMisses, timed, dbQueries,
                replicaReads, primaryReads, freshConnections);
    }

    /** What {@link #snapshot()} returns. */
    public record Snapshot(long count, long warmup, Histogram all, Histogram dns, Map<String, Endpoint> endpoints,
                           Map<String, Histogram> hops, Map<String, Boolean> hopIsCall,
                           Map<Outcome.Kind, Long> errors, Map<Outcome.Kind, String> examples,
                           Map<Integer, Long> statuses, List<Interval> timeline, Map<String, Histogram> regions,
                           Map<String, Long> protocols,
                           long edgeHits, long edgeMisses, long redisHits, long redisMisses, long timed,
                           long dbQueries, long replicaReads, long primaryReads, long freshConnections) {
        public long errorCount() {
            return errors.values().stream().mapToLong(Long::longValue).sum();
        }
    }
}
