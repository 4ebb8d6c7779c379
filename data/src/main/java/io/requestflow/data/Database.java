package io.requestflow.data;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded connection pool to one PostgreSQL database, plus the schema migrations that database needs.
 *
 * <p>Every pooled connection carries a server-side {@code statement_timeout}, so a slow query fails
 * instead of holding a connection (and a caller) forever; {@code connectionTimeoutMs} bounds how long a
 * caller waits when all connections are busy.
 */
public final class Database implements AutoCloseable {

    /** Where Flyway finds {@code V<n>__<name>.sql} files. */
    public static final String MIGRATIONS = "classpath:db/migration";

    private static final Logger log = LoggerFactory.getLogger(Database.class);

    private final HikariDataSource pool;
    private final JdbcEndpoint endpoint;

    private Database(HikariDataSource pool, JdbcEndpoint endpoint) {
        this.pool = pool;
        this.endpoint = endpoint;
    }

    /**
     * Opens a pool of {@code settings.poolSize()} connections; fails fast if the database is unreachable.
     *
     * @param poolName shows up in pool metrics, thread names and {@code pg_stat_activity.application_name}
     */
    public static Database open(JdbcEndpoint endpoint, PostgresConfig settings, String poolName) {
        return new Database(new HikariDataSource(config(endpoint, settings, poolName)), endpoint);
    }

    /**
     * A pool to a read replica: like {@link #open} but it starts even while the replica is down (reads
     * go to the primary meanwhile) and connects when the replica answers again.
     */
    public static Database openReplica(JdbcEndpoint endpoint, PostgresConfig settings, String poolName) {
        HikariConfig hikari = config(endpoint, settings, poolName);
        hikari.setInitializationFailTimeout(-1);
        hikari.setReadOnly(true);
        return new Database(new HikariDataSource(hikari), endpoint);
    }

    private static HikariConfig config(JdbcEndpoint endpoint, PostgresConfig settings, String poolName) {
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName(poolName);
        hikari.setJdbcUrl(endpoint.url());
        hikari.setUsername(endpoint.user());
        hikari.setPassword(endpoint.password());
        hikari.setMaximumPoolSize(settings.poolSize());
        // grow on demand: many services' pools must fit under the server's max_connections together
        hikari.setMinimumIdle(Math.min(2, settings.poolSize()));
        hikari.setConnectionTimeout(settings.connectionTimeoutMs());
        // Validation must not outlast the caller's own wait for a connection.
        hikari.setValidationTimeout(Math.min(settings.connectionTimeoutMs(), 1000));
        hikari.addDataSourceProperty("options", "-c statement_timeout=" + settings.statementTimeoutMs());
        hikari.addDataSourceProperty("ApplicationName", poolName);
        // The driver's own TCP connect timeout is in whole seconds.
        hikari.addDataSourceProperty("connectTimeout", String.valueOf(Math.max(1, (settings.connectionTimeoutMs() + 999) / 1000)));
        hikari.addDataSourceProperty("tcpKeepAlive", "true");
        return hikari;
    }

    /**
     * Applies pending migrations from {@value #MIGRATIONS} and returns how many ran.
     *
     * <p>Flyway gets its own unpooled connection without the statement timeout: a migration that rewrites
     * a large table may legitimately run longer than any request should.
     */
    public int migrate() {
        MigrateResult result = Flyway.configure()
                .dataSource(endpoint.url(), endpoint.user(), endpoint.password())
                .locations(MIGRATIONS)
                .load()
                .migrate();
        if (result.migrationsExecuted > 0) {
            log.info("Applied {} migration(s); schema now at version {}", result.migrationsExecuted, result.targetSchemaVersion);
        }
        return result.migrationsExecuted;
    }

    public DataSource dataSource() {
        return pool;
    }

    public JdbcEndpoint endpoint() {
        return endpoint;
    }

    @Override
    public void close() {
        pool.close();
    }
}
