package io.requestflow.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Comparator;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A streaming replica of the embedded primary, in {@code <dataDir>/postgres-replica-N}, read-only (hot
 * standby). The bundled binaries have no {@code pg_basebackup}, so the first start makes the base backup
 * the low-level way: {@code pg_backup_start} on the primary, a file copy of its data directory,
 * {@code pg_backup_stop}, whose label file becomes {@code backup_label}; then {@code standby.signal}
 * and {@code primary_conninfo} make it stream WAL from the primary, through a replication slot so the
 * primary keeps what the replica still needs (up to {@code max_slot_wal_keep_size}). Later starts reuse
 * the directory; delete it to rebuild the replica from scratch.
 */
public final class EmbeddedReplica implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedReplica.class);
    /** Directories whose contents a base backup leaves out (PostgreSQL recreates or refills them). */
    private static final Set<String> EMPTY_DIRS = Set.of("pg_wal", "pg_replslot", "pg_dynshmem", "pg_notify",
            "pg_serial", "pg_snapshots", "pg_stat_tmp", "pg_subtrans");
    /** Files that belong to the running primary, not to a copy. */
    private static final Set<String> SKIPPED_FILES = Set.of("postmaster.pid", "postmaster.opts", "epg-lock",
            "backup_label", "tablespace_map", "standby.signal", "recovery.signal", "pg_internal.init");

    private final EmbeddedPostgres postgres;
    private final DataDirectoryLock lock;
    private final JdbcEndpoint endpoint;
    private final String name;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedReplica(EmbeddedPostgres postgres, DataDirectoryLock lock, JdbcEndpoint endpoint, String name) {
        this.postgres = postgres;
        this.lock = lock;
        this.endpoint = endpoint;
        this.name = name;
    }

    /** Starts replica {@code index} (1, 2, …) of {@code primary} on {@code port} (0 = any free port). */
    public static EmbeddedReplica start(Path dataDir, EmbeddedPostgresServer primary, PostgresConfig config, int index,
                                        int port) {
        String name = "replica-" + index;
        Path directory = dataDir.toAbsolutePath().normalize().resolve("postgres-" + name);
        DataDirectoryLock lock = DataDirectoryLock.acquire(directory, "PostgreSQL " + name);
        try {
            OrphanedServer.stopIfRunning(directory.resolve("postmaster.pid"), "postgres"::equals, "PostgreSQL " + name);
            int resolved = LoopbackPorts.resolve(port, "PostgreSQL " + name, "data.replicas.port");
            long started = System.nanoTime();
            String slot = "requestflow_" + name.replace('-', '_');
            if (!Files.exists(directory.resolve("standby.signal"))) {
                clone(primary, directory, slot);
            }
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(directory)
                    .setCleanDataDirectory(false)
                    .setPort(resolved)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setServerConfig("listen_addresses", LoopbackPorts.HOST)
                    .setServerConfig("unix_socket_directories", "''")
                    .setServerConfig("hot_standby", "on")
                    .setServerConfig("hot_standby_feedback", "on")
                    .setServerConfig("primary_slot_name", "'" + slot + "'")
                    .setServerConfig("primary_conninfo", "'host=" + LoopbackPorts.HOST + " port=" + primary.port()
                            + " user=postgres application_name=" + name + "'")
                    .setOutputRedirector(ProcessBuilder.Redirect.appendTo(
                            directory.resolveSibling(directory.getFileName() + ".log").toFile()))
                    .start();
            JdbcEndpoint endpoint = new JdbcEndpoint("jdbc:postgresql://" + LoopbackPorts.HOST + ":" + resolved + "/"
                    + EmbeddedPostgresServer.DATABASE, config.user(), config.password());
            log.info("Embedded PostgreSQL {} streaming from port {} ready at {} in {} ms", name, primary.port(),
                    endpoint.url(), (System.nanoTime() - started) / 1_000_000);
            return new EmbeddedReplica(postgres, lock, endpoint, name);
        } catch (IOException e) {
            lock.close();
            throw new UncheckedIOException("starting PostgreSQL " + name + " failed: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /** The low-level base backup: copy the primary's files between pg_backup_start and pg_backup_stop. */
    private static void clone(EmbeddedPostgresServer primary, Path directory, String slot) throws IOException {
        deleteTree(directory);
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + LoopbackPorts.HOST + ":" + primary.port()
                + "/postgres", "postgres", ""); Statement s = c.createStatement()) {
            // a slot keeps the WAL the replica has not received yet (a big seed, a replica that was stopped),
            // bounded so a replica gone for good cannot fill the disk
            s.execute("ALTER SYSTEM SET max_slot_wal_keep_size = '4GB'");
            s.execute("SELECT pg_reload_conf()");
            s.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '"
                    + slot + "'");
            s.execute("SELECT pg_create_physical_replication_slot('" + slot + "', true)");
            s.execute("SELECT pg_backup_start('requestflow-replica', true)");
            copyTree(primary.directory(), directory);
            try (ResultSet rs = s.executeQuery("SELECT labelfile, spcmapfile FROM pg_backup_stop(false)")) {
                rs.next();
                Files.writeString(directory.resolve("backup_label"), rs.getString(1));
                String map = rs.getString(2);
                if (map != null && !map.isEmpty()) Files.writeString(directory.resolve("tablespace_map"), map);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("base backup from the primary failed: " + e.getMessage(), e);
        }
        Files.createFile(directory.resolve("standby.signal"));
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rwx------"));
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Path target = to.resolve(from.relativize(dir).toString());
                Files.createDirectories(target);
                Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwx------"));
                if (!dir.equals(from) && EMPTY_DIRS.contains(dir.getFileName().toString())) {
                    if (dir.getFileName().toString().equals("pg_wal")) {
                        Files.createDirectories(target.resolve("archive_status"));
                        Files.createDirectories(target.resolve("summaries"));
                    }
                    return FileVisitResult.SKIP_SUBTREE;
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                String fileName = file.getFileName().toString();
                if (SKIPPED_FILES.contains(fileName) || fileName.startsWith("pgsql_tmp")) return FileVisitResult.CONTINUE;
                try {
                    Files.copy(file, to.resolve(from.relativize(file).toString()), StandardCopyOption.COPY_ATTRIBUTES);
                } catch (NoSuchFileException gone) {
                    // removed by the running primary while copying: WAL replay makes up for it
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) return FileVisitResult.CONTINUE;
                throw e;
            }
        });
    }

    private static void deleteTree(Path directory) throws IOException {
        if (!Files.exists(directory)) return;
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    public JdbcEndpoint endpoint() {
        return endpoint;
    }

    public String name() {
        return name;
    }

    public int port() {
        return postgres.getPort();
    }

    /**
     * Pauses or resumes WAL replay, so the replica falls behind the primary as writes go on (a lagging
     * replica, for fault drills); returns whether replay is paused now.
     */
    public boolean pauseReplay(boolean pause) throws java.sql.SQLException {
        try (java.sql.Connection c = postgres.getPostgresDatabase().getConnection();
             java.sql.Statement s = c.createStatement()) {
            s.execute(pause ? "SELECT pg_wal_replay_pause()" : "SELECT pg_wal_replay_resume()");
            try (java.sql.ResultSet rs = s.executeQuery("SELECT pg_is_wal_replay_paused()")) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** Stops the replica (fast shutdown); its directory stays for the next start. */
    @Override
    public void close() {
        if (closed.getAndSet(true)) return;
        try {
            postgres.close();
            log.info("Stopped embedded PostgreSQL {} on port {}", name, postgres.getPort());
        } catch (IOException e) {
            throw new UncheckedIOException("stopping PostgreSQL " + name + " failed", e);
        } finally {
            lock.close();
        }
    }
}
