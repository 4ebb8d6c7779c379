package io.requestflow.data;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import javax.sql.DataSource;

import io.lettuce.core.RedisURI;

/**
 * The whole data tier for one command: starts whatever is embedded, connects to whatever is external,
 * migrates the schema and seeds the catalog.
 *
 * <p>Services in other processes need none of this object, only {@link #jdbc()} (url, user, password)
 * and {@link #redisUrl()}: they open their own {@link Database} pool and Redis client.
 */
public final class DataTier implements AutoCloseable {

    /** Name of the pool this object keeps for migrations, seeding and callers in the same process. */
    public static final String POOL_NAME = "data-tier";
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(DataTier.class);

    private final Database database;
    private final String redisUrl;
    private final Duration redisTimeout;
    /** Closed last-opened-first. */
    private final Deque<AutoCloseable> resources;

    private final List<JdbcEndpoint> replicas;
    private final List<EmbeddedReplica> embeddedReplicas;
    private final Restartable embeddedRedis;
    private final Restartable embeddedPrimary;

    private DataTier(Database database, String redisUrl, Duration redisTimeout, Deque<AutoCloseable> resources,
                     List<JdbcEndpoint> replicas, List<EmbeddedReplica> embeddedReplicas,
                     Restartable embeddedRedis, Restartable embeddedPrimary) {
        this.database = database;
        this.redisUrl = redisUrl;
        this.redisTimeout = redisTimeout;
        this.resources = resources;
        this.replicas = List.copyOf(replicas);
        this.embeddedReplicas = embeddedReplicas;
        this.embeddedRedis = embeddedRedis;
        this.embeddedPrimary = embeddedPrimary;
    }

    /** No replicas. */
    public static DataTier start(Path dataDir, PostgresConfig postgres, RedisConfig redis, int catalogSize) {
        return start(dataDir, postgres, ReplicaConfig.none(), redis, catalogSize);
    }

    /**
     * @param dataDir     parent of {@code postgres/} and {@code redis/} for the embedded servers
     * @param catalogSize products to seed (ids 1..N); 0 leaves the catalog alone
     */
    public static DataTier start(Path dataDir, PostgresConfig postgres, ReplicaConfig replicaConfig, RedisConfig redis,
                                 int catalogSize) {
        if (catalogSize < 0) {
            throw new IllegalArgumentException("catalog size must be >= 0, got " + catalogSize);
        }
        Deque<AutoCloseable> resources = new ArrayDeque<>();
        try {
            JdbcEndpoint jdbc;
            EmbeddedPostgresServer primary = null;
            Restartable embeddedPrimary = null;
            if (postgres.usesEmbedded()) {
                EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dataDir, postgres);
                // started again on the port it got, so pools and the replica's stream find it where it was
                PostgresConfig samePort = postgres.withPort(server.port());
                embeddedPrimary = new Restartable(server, () -> EmbeddedPostgresServer.start(dataDir, samePort));
                resources.push(embeddedPrimary);
                primary = server;
                jdbc = server.endpoint();
            } else {
                jdbc = new JdbcEndpoint(postgres.url(), postgres.user(), postgres.password());
            }
            String redisUrl;
            Restartable embeddedRedis = null;
            if (redis.usesEmbedded()) {
                EmbeddedRedisServer server = EmbeddedRedisServer.start(dataDir, redis);
                // the port it got (it may have been 0: any free port), kept for restarts
                RedisConfig samePort = new RedisConfig(null, server.port(), redis.timeoutMs(), redis.maxMemoryMb());
                embeddedRedis = new Restartable(server, () -> EmbeddedRedisServer.start(dataDir, samePort));
                resources.push(embeddedRedis);
                redisUrl = server.url();
            } else {
                redisUrl = redis.url();
            }
            Database database = Database.open(jdbc, postgres, POOL_NAME);
            resources.push(database);
            database.migrate();
            if (catalogSize > 0) {
                new CatalogSeeder(database.dataSource()).seed(catalogSize);
                new ShopSeeder(database.dataSource()).seed(catalogSize, log::info);
            }
            List<JdbcEndpoint> replicas = new ArrayList<>();
            List<EmbeddedReplica> embedded = new ArrayList<>();
            if (!replicaConfig.urls().isEmpty()) {
                for (String url : replicaConfig.urls()) replicas.add(new JdbcEndpoint(url, postgres.user(), postgres.password()));
            } else if (primary != null) {
                for (int i = 1; i <= replicaConfig.count(); i++) {
                    int port = replicaConfig.port() == 0 ? 0 : replicaConfig.port() + i - 1;
                    EmbeddedReplica replica = EmbeddedReplica.start(dataDir, primary, postgres, i, port);
                    resources.push(replica);
                    embedded.add(replica);
                    replicas.add(replica.endpoint());
                }
            }
            return new DataTier(database, redisUrl, Duration.ofMillis(redis.timeoutMs()), resources, replicas, embedded,
                    embeddedRedis, embeddedPrimary);
        } catch (RuntimeException e) {
            closeAll(resources, e);
            throw e;
        }
    }

    /** Read replicas, embedded or external; empty when there are none. */
    public List<JdbcEndpoint> replicas() {
        return replicas;
    }

    /** The embedded replicas (to stop one on purpose in tests and fault drills). */
    public List<EmbeddedReplica> embeddedReplicas() {
        return embeddedReplicas;
    }

    /** The embedded primary, which a fault drill may stop and start again; null when PostgreSQL is external. */
    public Restartable embeddedPrimary() {
        return embeddedPrimary;
    }

    /** The embedded Redis (to stop and start it in fault drills), or null when Redis is external. */
    public Restartable embeddedRedis() {
        return embeddedRedis;
    }

    public DataSource dataSource() {
        return database.dataSource();
    }

    public Database database() {
        return database;
    }

    /** Url, user and password: all another process needs to open its own pool. */
    public JdbcEndpoint jdbc() {
        return database.endpoint();
    }

    public String jdbcUrl() {
        return jdbc().url();
    }

    public String jdbcUser() {
        return jdbc().user();
    }

    public String jdbcPassword() {
        return jdbc().password();
    }

    /** {@code redis://host:port}, to pass to another process. */
    public String redisUrl() {
        return redisUrl;
    }

    /** A fresh (mutable) Lettuce URI carrying the configured command timeout. */
    public RedisURI redisUri() {
        RedisURI uri = RedisURI.create(redisUrl);
        uri.setTimeout(redisTimeout);
        return uri;
    }

    /** Closes the pool, then stops the embedded servers. */
    @Override
    public void close() {
        RuntimeException failure = new IllegalStateException("closing the data tier failed");
        closeAll(resources, failure);
        if (failure.getSuppressed().length > 0) {
            throw failure;
        }
    }

    private static void closeAll(Deque<AutoCloseable> resources, Throwable collector) {
        while (!resources.isEmpty()) {
            try {
                resources.pop().close();
            } catch (Exception e) {
                collector.addSuppressed(e);
            }
        }
    }
}
