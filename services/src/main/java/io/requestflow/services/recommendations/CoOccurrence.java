package io.requestflow.services.recommendations;

import io.requestflow.engine.pipeline.Exchange;
import io.requestflow.services.Sql;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Rebuilds {@code recommendations} from order history: for every pair of products in the same order,
 * how many orders hold both; the top {@code perProduct} per product are kept. Runs at start and then
 * every {@code refreshSeconds}; an advisory lock makes one instance do it while the others skip.
 */
public final class CoOccurrence implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CoOccurrence.class);
    private static final long LOCK_ID = 0x7265636FL; // "reco"

    private final Sql sql;
    private final int perProduct;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("recommendations-refresh").daemon().factory());

    public CoOccurrence(Sql sql, int perProduct) {
        this.sql = sql;
        this.perProduct = perProduct;
    }

    public void start(long refreshSeconds, Supplier<Exchange> exchange) {
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                refresh(exchange.get());
            } catch (RuntimeException e) {
                LOG.warn("recommendations refresh failed ({}); serving the previous ones", e.getMessage());
            }
        }, 0, refreshSeconds, TimeUnit.SECONDS);
    }

    /** Rebuilds the table; returns the pairs written, or -1 if another instance holds the lock. */
    public int refresh(Exchange ex) {
        return sql.transaction(ex, "REFRESH recommendations", c -> {
            try (Statement s = c.createStatement()) {
                s.execute("SET LOCAL statement_timeout = 0");
                try (ResultSet rs = s.executeQuery("SELECT pg_try_advisory_xact_lock(" + LOCK_ID + ")")) {
                    rs.next();
                    if (!rs.getBoolean(1)) return -1;
                }
                s.execute("DELETE FROM recommendations");
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO recommendations (product_id, recommended_id, score)"
                    + " SELECT product_id, recommended_id, score FROM (SELECT a.product_id, b.product_id AS recommended_id,"
                    + " count(*) AS score, row_number() OVER (PARTITION BY a.product_id ORDER BY count(*) DESC,"
                    + " b.product_id) AS n FROM order_items a JOIN order_items b ON a.order_id = b.order_id"
                    + " AND a.product_id <> b.product_id GROUP BY a.product_id, b.product_id) ranked WHERE n <= ?")) {
                ps.setInt(1, perProduct);
                int pairs = ps.executeUpdate();
                LOG.debug("recommendations rebuilt: {} pairs", pairs);
                return pairs;
            }
        });
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
