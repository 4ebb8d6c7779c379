package io.requestflow.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The data tier end to end: embedded servers on free ports, migrations, seeding, search, restart. */
@Timeout(120)
class DataTierTest {

    private static final int PRODUCTS = 500;

    @TempDir
    Path dataDir;

    @TempDir
    Path otherDataDir;

    @Test
    void startsMigratesSeedsSearchesAndKeepsDataAcrossRestart() throws Exception {
        String nameOf42;
        try (DataTier tier = start(dataDir)) {
            assertThat(count(tier.dataSource(), "SELECT count(*) FROM products")).isEqualTo(PRODUCTS);
            assertThat(count(tier.dataSource(), "SELECT count(DISTINCT category) FROM products"))
                    .isEqualTo(ProductGenerator.categoryCount());
            long migrations;
            try (var files = java.nio.file.Files.list(java.nio.file.Path.of("src/main/resources/db/migration"))) {
                migrations = files.filter(f -> f.getFileName().toString().endsWith(".sql")).count();
            }
            assertThat(count(tier.dataSource(), "SELECT count(*) FROM flyway_schema_history WHERE success"))
                    .as("every migration applied").isEqualTo(migrations);
            assertThat(new CatalogSeeder(tier.dataSource()).seed(PRODUCTS)).as("re-seeding is a no-op").isFalse();

            nameOf42 = nameOf(tier.dataSource(), 42);
            assertThat(nameOf42).isEqualTo(ProductGenerator.product(42).name());
            String word = nameOf42.split(" ")[2].toLowerCase(); // the noun, e.g. "lamp"
            assertThat(search(tier.dataSource(), word)).contains(nameOf42);
            assertThat(search(tier.dataSource(), nameOf42)).as("best match first").first().isEqualTo(nameOf42);

            assertThat(tier.redisUri().getTimeout()).isEqualTo(Duration.ofMillis(RedisConfig.DEFAULT_TIMEOUT_MS));
            RedisClient client = RedisClient.create(tier.redisUri());
            try (StatefulRedisConnection<String, String> connection = client.connect()) {
                RedisCommands<String, String> redis = connection.sync();
                redis.set("product:42", nameOf42);
                assertThat(redis.get("product:42")).isEqualTo(nameOf42);
            } finally {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            }
        }

        try (DataTier restarted = start(dataDir)) {
            assertThat(count(restarted.dataSource(), "SELECT count(*) FROM products")).isEqualTo(PRODUCTS);
            assertThat(nameOf(restarted.dataSource(), 42)).isEqualTo(nameOf42);
        }

        try (DataTier other = start(otherDataDir)) {
            assertThat(nameOf(other.dataSource(), 42)).as("same catalog in a fresh directory").isEqualTo(nameOf42);
        }
    }

    @Test
    void anotherProcessNeedsOnlyUrlUserAndPassword() throws Exception {
        try (DataTier tier = start(dataDir)) {
            JdbcEndpoint handedOver = new JdbcEndpoint(tier.jdbcUrl(), tier.jdbcUser(), tier.jdbcPassword());
            PostgresConfig strict = new PostgresConfig(null, null, null, null, 2, 500, 300);
            try (Database service = Database.open(handedOver, strict, "catalog-service");
                 Connection c = service.dataSource().getConnection(); Statement s = c.createStatement()) {
                try (ResultSet rs = s.executeQuery("SELECT current_user, current_setting('application_name')")) {
                    rs.next();
                    assertThat(rs.getString(1)).isEqualTo(PostgresConfig.DEFAULT_USER);
                    assertThat(rs.getString(2)).isEqualTo("catalog-service");
                }
                assertThatThrownBy(() -> s.execute("SELECT pg_sleep(2)"))
                        .as("statement timeout from the pool config")
                        .hasMessageContaining("statement timeout");
            }
        }
    }

    private static DataTier start(Path dir) {
        return DataTier.start(dir, PostgresConfig.embedded(0), RedisConfig.embedded(0), PRODUCTS);
    }

    static long count(DataSource ds, String sql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String nameOf(DataSource ds, long id) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT name FROM products WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                return rs.getString(1);
            }
        }
    }

    /** The query the search service will run: web-style syntax, best matches first. */
    private static List<String> search(DataSource ds, String terms) throws SQLException {
        String sql = """
                SELECT name FROM products, websearch_to_tsquery('english', ?) q
                WHERE search @@ q ORDER BY ts_rank(search, q) DESC, id LIMIT 500""";
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, terms);
            List<String> names = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
            return names;
        }
    }
}
