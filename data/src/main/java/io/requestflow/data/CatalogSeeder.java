package io.requestflow.data;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import javax.sql.DataSource;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fills {@code products} with ids 1..N from {@link ProductGenerator}.
 *
 * <p>Rows go in through COPY, PostgreSQL's bulk path (roughly an order of magnitude faster than batched
 * INSERTs), inside one transaction, so readers see the old catalog or the new one, never half of one.
 */
public final class CatalogSeeder {

    public static final int DEFAULT_SIZE = 10_000;

    private static final Logger log = LoggerFactory.getLogger(CatalogSeeder.class);
    private static final String COPY_SQL =
            "COPY products (id, sku, name, category, price_cents, description, created_at) FROM STDIN";
    /** Below this a load takes well under a second and progress lines would be noise. */
    private static final int PROGRESS_THRESHOLD = 100_000;
    private static final int CHUNK_CHARS = 256 * 1024;

    private final DataSource dataSource;

    public CatalogSeeder(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Makes the catalog hold exactly products 1..{@code count}.
     *
     * @return true if it loaded the catalog, false if it already held exactly those products
     */
    public boolean seed(int count) {
        return seed(count, log::info);
    }

    /** Like {@link #seed(int)}, reporting progress of large loads to {@code progress}. */
    public boolean seed(int count, java.util.function.Consumer<String> progress) {
        if (count < 1) {
            throw new IllegalArgumentException("catalog size must be at least 1, got " + count);
        }
        try (Connection c = dataSource.getConnection()) {
            long started = System.nanoTime();
            if (holdsExactly(c, count) || !reload(c, count, progress)) {
                log.info("Catalog already holds products 1..{}; not reseeding", count);
                return false;
            }
            // Fresh statistics so the planner uses the GIN index right away rather than after autovacuum.
            try (Statement s = c.createStatement()) {
                s.execute("ANALYZE products");
            }
            log.info("Seeded catalog with {} products in {} ms", count, (System.nanoTime() - started) / 1_000_000);
            return true;
        } catch (SQLException e) {
            throw new IllegalStateException("seeding the catalog failed: " + e.getMessage(), e);
        }
    }

    /** Replaces the catalog in one transaction; false if another seeder got there first. */
    private static boolean reload(Connection c, int count, java.util.function.Consumer<String> progress)
            throws SQLException {
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            // A big COPY may outlast the pool's per-request statement timeout; SET LOCAL ends with the transaction.
            s.execute("SET LOCAL statement_timeout = 0");
            // Another process may be seeding at the same moment: the lock makes the second one wait, then skip.
            s.execute("LOCK TABLE products IN ACCESS EXCLUSIVE MODE");
            if (holdsExactly(c, count)) {
                c.rollback();
                return false;
            }
            s.execute("TRUNCATE products");
            copy(c, count, progress);
            c.commit();
            return true;
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    /** Count and highest id both match, so a catalog of the right size but wrong ids is still reloaded. */
    private static boolean holdsExactly(Connection c, int count) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*), coalesce(max(id), 0) FROM products")) {
            rs.next();
            return rs.getLong(1) == count && rs.getLong(2) == count;
        }
    }

    private static void copy(Connection c, int count, java.util.function.Consumer<String> progress) throws SQLException {
        CopyIn copy = c.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY_SQL);
        try {
            StringBuilder chunk = new StringBuilder(CHUNK_CHARS + 1024);
            int step = Math.max(1, count / 10);
            for (int id = 1; id <= count; id++) {
                appendRow(chunk, ProductGenerator.product(id));
                if (chunk.length() >= CHUNK_CHARS) {
                    write(copy, chunk);
                }
                if (count >= PROGRESS_THRESHOLD && id % step == 0) {
                    progress.accept("seeding catalog: " + id + " / " + count + " products");
                }
            }
            write(copy, chunk);
            copy.endCopy();
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
    }

    private static void write(CopyIn copy, StringBuilder chunk) throws SQLException {
        byte[] bytes = chunk.toString().getBytes(StandardCharsets.UTF_8);
        copy.writeToCopy(bytes, 0, bytes.length);
        chunk.setLength(0);
    }

    private static void appendRow(StringBuilder row, Product p) {
        row.append(p.id()).append('\t');
        appendText(row, p.sku()).append('\t');
        appendText(row, p.name()).append('\t');
        appendText(row, p.category()).append('\t');
        row.append(p.priceCents()).append('\t');
        appendText(row, p.description()).append('\t');
        row.append(p.createdAt()).append('\n');
    }

    /** COPY text format: backslash, tab and line breaks must be escaped. */
    private static StringBuilder appendText(StringBuilder row, String value) {
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            switch (ch) {
                case '\\' -> row.append("\\\\");
                case '\t' -> row.append("\\t");
                case '\n' -> row.append("\\n");
                case '\r' -> row.append("\\r");
                default -> row.append(ch);
            }
        }
        return row;
    }
}
