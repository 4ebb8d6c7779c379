package io.requestflow.data;

/**
 * Where the source-of-truth database lives and how a connection pool talks to it (config section
 * {@code data.postgres}).
 *
 * <p>Numeric fields are boxed so that a key missing from YAML/JSON means "use the default" rather than 0,
 * which for {@code port} has its own meaning (pick a free port).
 *
 * @param url                 external JDBC URL; {@code null} starts an embedded server instead
 * @param user                database user (default {@value #DEFAULT_USER})
 * @param password            database password (default {@value #DEFAULT_PASSWORD})
 * @param port                port of the embedded server on 127.0.0.1 (default {@value #DEFAULT_PORT}; 0 picks a free one)
 * @param poolSize            connections per pool (default {@value #DEFAULT_POOL_SIZE})
 * @param connectionTimeoutMs how long a caller waits for a pooled connection (default {@value #DEFAULT_CONNECTION_TIMEOUT_MS})
 * @param statementTimeoutMs  server-side limit per statement (default {@value #DEFAULT_STATEMENT_TIMEOUT_MS})
 */
public record PostgresConfig(String url, String user, String password, Integer port, Integer poolSize,
                             Integer connectionTimeoutMs, Integer statementTimeoutMs) {

    public static final String DEFAULT_USER = "requestflow";
    public static final String DEFAULT_PASSWORD = "requestflow";
    public static final int DEFAULT_PORT = 5433;
    public static final int DEFAULT_POOL_SIZE = 10;
    public static final int DEFAULT_CONNECTION_TIMEOUT_MS = 2000;
    public static final int DEFAULT_STATEMENT_TIMEOUT_MS = 5000;

    /** Config key named in errors about the embedded server's port. */
    public static final String PORT_KEY = "data.postgres.port";

    public PostgresConfig {
        if (url != null && url.isBlank()) {
            url = null;
        }
        if (url != null && !url.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("data.postgres.url must start with jdbc:postgresql:, got " + url);
        }
        user = user == null ? DEFAULT_USER : user;
        password = password == null ? DEFAULT_PASSWORD : password;
        port = port == null ? DEFAULT_PORT : port;
        poolSize = poolSize == null ? DEFAULT_POOL_SIZE : poolSize;
        connectionTimeoutMs = connectionTimeoutMs == null ? DEFAULT_CONNECTION_TIMEOUT_MS : connectionTimeoutMs;
        statementTimeoutMs = statementTimeoutMs == null ? DEFAULT_STATEMENT_TIMEOUT_MS : statementTimeoutMs;
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(PORT_KEY + " must be 0..65535, got " + port);
        }
        if (poolSize < 1) {
            throw new IllegalArgumentException("data.postgres.poolSize must be at least 1, got " + poolSize);
        }
        // HikariCP refuses connection timeouts below 250 ms.
        if (connectionTimeoutMs < 250) {
            throw new IllegalArgumentException("data.postgres.connectionTimeoutMs must be at least 250, got " + connectionTimeoutMs);
        }
        if (statementTimeoutMs < 0) {
            throw new IllegalArgumentException("data.postgres.statementTimeoutMs must be >= 0 (0 = none), got " + statementTimeoutMs);
        }
    }

    /** Embedded server on the default port with default pool settings. */
    public static PostgresConfig defaults() {
        return new PostgresConfig(null, null, null, null, null, null, null);
    }

    /** Embedded server on {@code port} (0 picks a free one). */
    public static PostgresConfig embedded(int port) {
        return defaults().withPort(port);
    }

    /** An existing server; nothing is started. */
    public static PostgresConfig external(String jdbcUrl, String user, String password) {
        return new PostgresConfig(jdbcUrl, user, password, null, null, null, null);
    }

    public PostgresConfig withPort(int newPort) {
        return new PostgresConfig(url, user, password, newPort, poolSize, connectionTimeoutMs, statementTimeoutMs);
    }

    public PostgresConfig withPoolSize(int newPoolSize) {
        return new PostgresConfig(url, user, password, port, newPoolSize, connectionTimeoutMs, statementTimeoutMs);
    }

    /** True when no external URL is set. Not named isX/getX so Jackson does not serialize it. */
    public boolean usesEmbedded() {
        return url == null;
    }

    /** Keeps the password out of logs. */
    @Override
    public String toString() {
        return "PostgresConfig[url=" + url + ", user=" + user + ", password=***, port=" + port + ", poolSize=" + poolSize
                + ", connectionTimeoutMs=" + connectionTimeoutMs + ", statementTimeoutMs=" + statementTimeoutMs + "]";
    }
}
