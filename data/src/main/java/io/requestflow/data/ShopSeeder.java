package io.requestflow.data;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

import javax.sql.DataSource;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fills inventory, reviews and an order history for products 1..N, deterministically: each product's
 * stock and reviews come from a generator seeded by its id, and the order history from one fixed seed,
 * so every machine gets the same shop. Orders buy products that sit near each other in id space
 * together, which gives the recommendations service real co-occurrence to find.
 *
 * <p>Loaded with COPY in one transaction; {@code seed_state} remembers the size so a restart skips it.
 */
public final class ShopSeeder {
    private static final Logger log = LoggerFactory.getLogger(ShopSeeder.class);
    private static final long SHOP_SEED = 0x5EED_0005_40BBL;
    private static final Instant EPOCH = Instant.parse("2024-01-01T00:00:00Z");
    private static final long SPAN_SECONDS = Duration.ofDays(730).toSeconds();
    private static final int CHUNK_CHARS = 256 * 1024;
    private static final List<String> AUTHORS = List.of("ana", "ben", "chen", "dara", "eli", "fatima", "gus", "hana",
            "ivan", "jo", "kemal", "lena", "mo", "nadia", "omar", "pia", "quinn", "rosa", "sam", "tariq");
    private static final List<String> PRAISE = List.of("Exactly as described.", "Sturdy and well made.",
            "Great value for the price.", "Arrived quickly and well packed.", "Better than I expected.",
            "Does the job.", "Would buy again.", "Looks great in person.");
    private static final List<String> COMPLAINTS = List.of("Smaller than it looks.", "Took a while to arrive.",
            "The finish scratched easily.", "Not worth the price.", "Instructions were unclear.");

    private final DataSource dataSource;

    public ShopSeeder(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Orders in the generated history for a catalog of {@code products}. */
    public static int orderCount(int products) {
        return Math.max(200, products / 4);
    }

    /** Stock for a product (deterministic): about one in twenty is sold out. */
    public static int stock(long productId) {
        SplittableRandom r = new SplittableRandom(SHOP_SEED ^ (productId * 0x9E3779B97F4A7C15L));
        return r.nextInt(20) == 0 ? 0 : 5 + r.nextInt(500);
    }

    /** Makes inventory, reviews and order history match a catalog of {@code count}; false if already so. */
    public boolean seed(int count, Consumer<String> progress) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("SET LOCAL statement_timeout = 0");
                s.execute("LOCK TABLE seed_state IN ACCESS EXCLUSIVE MODE");
                if (seededSize(c) == count) {
                    c.rollback();
                    return false;
                }
                long started = System.nanoTime();
                s.execute("TRUNCATE inventory, reviews, order_items, orders, outbox, recommendations RESTART IDENTITY");
                copy(c, "COPY inventory (product_id, available) FROM STDIN", count, progress, "inventory",
                        (id, row) -> row.append(id).append('\t').append(stock(id)).append('\n'));
                copy(c, "COPY reviews (product_id, author, rating, body, created_at) FROM STDIN", count, progress,
                        "reviews", ShopSeeder::appendReviews);
                int orders = orderCount(count);
                copy(c, "COPY orders (id, user_id, request_hash, status, total_cents, created_at) FROM STDIN", orders,
                        progress, "orders", (id, row) -> row.append(id).append("\tseed-").append(id % 997)
                                .append("\tseed\tplaced\t0\t").append(EPOCH.plusSeconds(id * 60)).append('\n'));
                copy(c, "COPY order_items (order_id, product_id, quantity, price_cents) FROM STDIN", orders, progress,
                        "order items", (id, row) -> appendItems(id, count, row));
                s.execute("UPDATE orders o SET total_cents = t.total FROM (SELECT order_id, sum(quantity * price_cents)"
                        + " AS total FROM order_items GROUP BY order_id) t WHERE t.order_id = o.id");
                s.execute("SELECT setval('orders_id_seq', " + orders + ")");
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO seed_state (name, size) VALUES ('shop', ?)"
                        + " ON CONFLICT (name) DO UPDATE SET size = excluded.size")) {
                    ps.setLong(1, count);
                    ps.executeUpdate();
                }
                s.execute("ANALYZE inventory, reviews, orders, order_items");
                c.commit();
                log.info("Seeded inventory, reviews and {} orders for {} products in {} ms", orders, count,
                        (System.nanoTime() - started) / 1_000_000);
                return true;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("seeding inventory, reviews and orders failed: " + e.getMessage(), e);
        }
    }

    private static long seededSize(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT size FROM seed_state WHERE name = 'shop'")) {
            return rs.next() ? rs.getLong(1) : -1;
        }
    }

    /** Zero to eight reviews, ratings leaning positive, stable per product. */
    private static void appendReviews(long id, StringBuilder row) {
        SplittableRandom r = new SplittableRandom(SHOP_SEED ^ 0x5EEDL ^ (id * 0xBF58476D1CE4E5B9L));
        int n = r.nextInt(9);
        for (int i = 0; i < n; i++) {
            int rating = Math.min(5, 1 + r.nextInt(3) + r.nextInt(3));
            String body = rating >= 3 ? PRAISE.get(r.nextInt(PRAISE.size())) : COMPLAINTS.get(r.nextInt(COMPLAINTS.size()));
            row.append(id).append('\t').append(AUTHORS.get(r.nextInt(AUTHORS.size()))).append('\t').append(rating)
                    .append('\t').append(body).append('\t').append(EPOCH.plusSeconds(r.nextLong(SPAN_SECONDS))).append('\n');
        }
    }

    /** Two to four distinct products near an anchor, so neighbours are bought together. */
    private static void appendItems(long orderId, int products, StringBuilder row) {
        SplittableRandom r = new SplittableRandom(SHOP_SEED ^ (orderId * 0x94D049BB133111EBL));
        long anchor = 1 + r.nextInt(products);
        int n = 2 + r.nextInt(3);
        long[] picked = new long[n];
        for (int i = 0; i < n; i++) {
            long candidate;
            do {
                candidate = i == 0 ? anchor : 1 + Math.floorMod(anchor - 1 + r.nextInt(-3, 4), products);
            } while (contains(picked, i, candidate));
            picked[i] = candidate;
            row.append(orderId).append('\t').append(candidate).append('\t').append(1 + r.nextInt(2)).append('\t')
                    .append(ProductGenerator.product(candidate).priceCents()).append('\n');
        }
    }

    private static boolean contains(long[] values, int upTo, long value) {
        for (int i = 0; i < upTo; i++) if (values[i] == value) return true;
        return false;
    }

    @FunctionalInterface
    private interface RowWriter {
        void append(long id, StringBuilder row);
    }

    private static void copy(Connection c, String sql, int count, Consumer<String> progress, String what,
                             RowWriter writer) throws SQLException {
        CopyIn copy = c.unwrap(PGConnection.class).getCopyAPI().copyIn(sql);
        try {
            StringBuilder chunk = new StringBuilder(CHUNK_CHARS + 4096);
            int step = Math.max(1, count / 10);
            for (long id = 1; id <= count; id++) {
                writer.append(id, chunk);
                if (chunk.length() >= CHUNK_CHARS) write(copy, chunk);
                if (count >= 100_000 && id % step == 0) progress.accept("seeding " + what + ": " + id + " / " + count);
            }
            write(copy, chunk);
            copy.endCopy();
        } finally {
            if (copy.isActive()) copy.cancelCopy();
        }
    }

    private static void write(CopyIn copy, StringBuilder chunk) throws SQLException {
        byte[] bytes = chunk.toString().getBytes(StandardCharsets.UTF_8);
        copy.writeToCopy(bytes, 0, bytes.length);
        chunk.setLength(0);
    }
}
