package io.requestflow.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Starting the embedded cluster when things are not clean: taken ports, and servers left by a killed owner. */
@Timeout(120)
class EmbeddedPostgresServerTest {

    @TempDir
    Path dataDir;

    @Test
    void takenPortNamesThePortAndTheConfigKey() throws IOException {
        try (ServerSocket squatter = new ServerSocket()) {
            squatter.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = squatter.getLocalPort();
            assertThatThrownBy(() -> EmbeddedPostgresServer.start(dataDir, PostgresConfig.embedded(port)))
                    .isInstanceOf(PortInUseException.class)
                    .hasMessageContaining("127.0.0.1:" + port)
                    .hasMessageContaining("data.postgres.port");
        }
        // The failed attempt must not leave the directory locked.
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dataDir, PostgresConfig.embedded(0))) {
            assertThat(server.port()).isPositive();
        }
    }

    @Test
    void listensOnLoopbackOnlyAndRefusesASecondOwnerOfTheDirectory() throws SQLException {
        try (EmbeddedPostgresServer first = EmbeddedPostgresServer.start(dataDir, PostgresConfig.embedded(0))) {
            assertThat(setting(first, "listen_addresses")).isEqualTo("127.0.0.1");
            assertThat(setting(first, "unix_socket_directories")).isEmpty();
            assertThat(dataDir.resolve("postgres.log")).isNotEmptyFile();
            assertThatThrownBy(() -> EmbeddedPostgresServer.start(dataDir, PostgresConfig.embedded(0)))
                    .hasMessageContaining("in use by another running instance");
        }
    }

    private static String setting(EmbeddedPostgresServer server, String name) throws SQLException {
        // The application role may not read server settings; the bootstrap superuser may.
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(), "postgres", "");
             Statement s = c.createStatement(); var rs = s.executeQuery("SELECT current_setting('" + name + "')")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /**
     * A JVM killed with -9 leaves its postmaster running (it is a separate process) or, if that died too,
     * a stale postmaster.pid. Either way the next start must succeed and keep the data.
     */
    @Test
    void recoversFromServersAndPidFilesLeftByAKilledOwner() throws Exception {
        int port;
        Path pgCtl;
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dataDir, PostgresConfig.embedded(0))) {
            port = server.port();
            pgCtl = binDirectory(server.directory()).resolve("pg_ctl");
            execute(server, "CREATE TABLE survivors (id int)", "INSERT INTO survivors VALUES (1)");
        }
        Path pgDir = dataDir.resolve("postgres");
        Path pidFile = pgDir.resolve("postmaster.pid");

        // 1. Orphan still running, holding the port.
        long orphan = startOrphan(pgCtl, pgDir, port);
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dataDir, PostgresConfig.embedded(port))) {
            assertThat(ProcessHandle.of(orphan).filter(ProcessHandle::isAlive)).isEmpty();
            assertThat(survivors(server)).isEqualTo(1);
        }

        // 2. Orphan killed hard too: stale pid file, and crash recovery on the next start.
        long crashed = startOrphan(pgCtl, pgDir, port);
        ProcessHandle.of(crashed).orElseThrow().destroyForcibly();
        ProcessHandle.of(crashed).orElseThrow().onExit().get(10, TimeUnit.SECONDS);
        assertThat(pidFile).exists();
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dataDir, PostgresConfig.embedded(port))) {
            assertThat(survivors(server)).isEqualTo(1);
        }

        // 3. Stale pid file whose pid now belongs to an unrelated live process.
        Process unrelated = new ProcessBuilder("sleep", "60").start();
        try {
            Files.writeString(pidFile, unrelated.pid() + "\n" + pgDir + "\n");
            try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dataDir, PostgresConfig.embedded(port))) {
                assertThat(survivors(server)).isEqualTo(1);
            }
            assertThat(unrelated.isAlive()).as("unrelated process untouched").isTrue();
        } finally {
            unrelated.destroy();
        }
    }

    /** postmaster.opts records the command line, which starts with the bundled postgres binary. */
    private static Path binDirectory(Path pgDir) throws IOException {
        String opts = Files.readString(pgDir.resolve("postmaster.opts"));
        return Path.of(opts.substring(0, opts.indexOf(' '))).getParent();
    }

    /** Starts a postmaster the way a dead owner would have left it: running, with nobody holding the lock. */
    private static long startOrphan(Path pgCtl, Path pgDir, int port) throws Exception {
        List<String> command = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            command.addAll(List.of("unshare", "-U")); // PostgreSQL refuses root; zonky does the same
        }
        command.addAll(List.of(pgCtl.toString(), "-D", pgDir.toString(), "-w", "-l", pgDir.resolveSibling("orphan.log").toString(),
                "-o", "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=''", "start"));
        Process pgctl = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(pgctl.getInputStream().readAllBytes());
        assertThat(pgctl.waitFor()).as(output).isZero();
        List<String> pid = Files.readAllLines(pgDir.resolve("postmaster.pid"));
        return Long.parseLong(pid.getFirst().strip());
    }

    private static void execute(EmbeddedPostgresServer server, String... statements) throws SQLException {
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(), server.user(), server.password());
             Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    private static long survivors(EmbeddedPostgresServer server) throws SQLException {
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(), server.user(), server.password());
             Statement s = c.createStatement(); var rs = s.executeQuery("SELECT count(*) FROM survivors")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
