package io.requestflow.services;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.requestflow.engine.pipeline.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Read/write splitting: reads go round-robin to replicas that are up and whose replay is within
 * {@code maxLagBytes} of the primary; a client that just wrote reads from the primary until a replica has
 * replayed the WAL position of its write (read-your-own-writes, keyed by the verified user, and shared
 * with every instance and service through {@link SharedWritePositions} when given); with no replica fit to
 * serve, reads go to the primary. Health and lag are measured every {@code checkIntervalMs}
 * on a thread of its own, so no request pays for it; a replica that fails a read leaves rotation at once.
 */
public final class ReplicaRouter implements ReadRouter, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaRouter.class);
    private static final String USER_HEADER = "x-user-id";

    /** One replica and what the last check saw. */
    public static final class Replica {
        final Target target;
        volatile boolean up;
        volatile long replayLsn;
        volatile long lagBytes = -1;
        volatile boolean checked;

        public Replica(String name, DataSource dataSource) {
            this.target = new Target(name, dataSource, false);
        }
    }

    private final Target primary;
    private final List<Replica> replicas;
    private final long maxLagBytes;
    private final Cache<String, Long> recentWrites;
    private final SharedWritePositions shared;
    private volatile boolean listening;
    private final AtomicInteger next = new AtomicInteger();
    private final ScheduledExecutorService checker = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("replica-check").daemon().factory());

    public ReplicaRouter(DataSource primary, List<Replica> replicas, long maxLagBytes, long checkIntervalMs,
                         MeterRegistry registry) {
        this(primary, replicas, maxLagBytes, checkIntervalMs, registry, null);
    }

    /** {@code shared}: where writes are announced to other instances and heard from them (null: this instance only). */
    public ReplicaRouter(DataSource primary, List<Replica> replicas, long maxLagBytes, long checkIntervalMs,
                         MeterRegistry registry, SharedWritePositions shared) {
        this.shared = shared;
        this.primary = new Target("primary", primary, true);
        this.replicas = List.copyOf(replicas);
        this.maxLagBytes = maxLagBytes;
        // long enough for any replica within the lag limit to replay a write
        this.recentWrites = Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(60, TimeUnit.SECONDS).build();
        for (Replica r : replicas) {
            Gauge.builder("requestflow.db.replica.lag.bytes", r, x -> x.lagBytes)
                    .description("WAL bytes the replica's replay is behind the primary (-1 unknown)")
                    .tag("replica", r.target.name()).register(registry);
            Gauge.builder("requestflow.db.replica.in.rotation", r, x -> inRotation(x) ? 1 : 0)
                    .description("1 when reads may go to this replica").tag("replica", r.target.name()).register(registry);
        }
        listenForWrites();
        // until the first check, reads go to the primary; no service start waits for a replica
        checker.scheduleWithFixedDelay(this::check, 0, checkIntervalMs, TimeUnit.MILLISECONDS);
    }

    @Override
    public Target route(Exchange exchange) {
        if (Boolean.TRUE.equals(exchange.attribute(PRIMARY_ONLY))) return primary;
        Long mustSee = null;
        String user = exchange.request().header(USER_HEADER);
        if (user != null) mustSee = recentWrites.getIfPresent(user);
        int n = replicas.size();
        int start = Math.floorMod(next.getAndIncrement(), Math.max(1, n));
        for (int i = 0; i < n; i++) {
            Replica r = replicas.get((start + i) % n);
            if (inRotation(r) && (mustSee == null || r.replayLsn >= mustSee)) return r.target;
        }
        return primary;
    }

    @Override
    public void failed(Target target, RuntimeException error) {
        for (Replica r : replicas) {
            if (r.target == target && r.up) {
                r.up = false;
                LOG.warn("replica {} failed a read ({}); reads go elsewhere until it answers again", target.name(),
                        error.getMessage());
            }
        }
    }

    @Override
    public void wrote(Exchange exchange, Connection connection) {
        String user = exchange.request().header(USER_HEADER);
        if (user == null || replicas.isEmpty()) return;
        long lsn;
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_current_wal_lsn()::text")) {
            rs.next();
            lsn = parseLsn(rs.getString(1));
        } catch (SQLException e) {
            // without the position, be safe: this user reads from the primary for the next minute
            lsn = Long.MAX_VALUE;
        }
        remember(user, lsn);
        if (shared != null) shared.publish(user, lsn);
    }

    private void remember(String user, long lsn) {
        recentWrites.asMap().merge(user, lsn, Math::max);
    }

    /** Subscribes to other instances' writes; retried from the lag check until Redis takes it. */
    private void listenForWrites() {
        if (shared != null && !listening) listening = shared.listen(this::remember);
    }

    private boolean inRotation(Replica r) {
        return r.up && r.lagBytes >= 0 && r.lagBytes <= maxLagBytes;
    }

    /** Measures every replica's replay position against the primary's current WAL position. */
    void check() {
        listenForWrites();
        long primaryLsn;
        try {
            primaryLsn = lsn(primary.dataSource(), "SELECT pg_current_wal_lsn()::text");
        } catch (SQLException e) {
            return; // cannot judge lag without the primary; keep the last verdict
        }
        for (Replica r : replicas) {
            try {
                long replay = lsn(r.target.dataSource(), "SELECT pg_last_wal_replay_lsn()::text");
                if (replay < 0) throw new SQLException("not in recovery: it is no longer a replica of this primary");
                r.replayLsn = replay;
                r.lagBytes = Math.max(0, primaryLsn - replay);
                if (!r.up) {
                    LOG.info("replica {} {} (lag {} bytes)", r.target.name(), r.checked ? "answers again" : "answers",
                            r.lagBytes);
                }
                r.up = true;
                r.checked = true;
            } catch (SQLException | RuntimeException e) {
                if (r.up || !r.checked) LOG.warn("replica {} is out of rotation: {}", r.target.name(), e.getMessage());
                r.up = false;
                r.checked = true;
                r.lagBytes = -1;
            }
        }
    }

    private static long lsn(DataSource ds, String sql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            String text = rs.getString(1);
            return text == null ? -1 : parseLsn(text);
        }
    }

    /** {@code 16/B374D848} → one 64-bit position. */
    static long parseLsn(String text) {
        int slash = text.indexOf('/');
        return (Long.parseLong(text.substring(0, slash), 16) << 32) | Long.parseLong(text.substring(slash + 1), 16);
    }

    @Override
    public void close() {
        checker.shutdownNow();
    }
}
