package io.requestflow.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class EmbeddedRedisServerTest {

    @TempDir
    Path dataDir;

    @Test
    void servesLettuceWithBoundedMemoryAndNoPersistence() {
        try (EmbeddedRedisServer server = EmbeddedRedisServer.start(dataDir, RedisConfig.embedded(0))) {
            withRedis(server, redis -> {
                assertThat(redis.set("greeting", "hello")).isEqualTo("OK");
                assertThat(redis.get("greeting")).isEqualTo("hello");
                assertThat(redis.configGet("maxmemory-policy")).containsEntry("maxmemory-policy", "allkeys-lru");
                assertThat(redis.configGet("maxmemory")).containsEntry("maxmemory", String.valueOf(256L * 1024 * 1024));
                assertThat(redis.configGet("save")).containsEntry("save", "");
                assertThat(redis.configGet("bind")).containsEntry("bind", "127.0.0.1");
            });
        }
    }

    /** A terminal's Ctrl-C reaches the foreground process group; Redis must not be in it (it would stop mid-drain). */
    @Test
    void runsInASessionOfItsOwn() throws IOException {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/setsid")) || Files.isExecutable(Path.of("/bin/setsid")),
                "no setsid on this machine");
        try (EmbeddedRedisServer server = EmbeddedRedisServer.start(dataDir, RedisConfig.embedded(0))) {
            long pid = Long.parseLong(Files.readString(dataDir.resolve("redis").resolve("redis.pid")).strip());
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // after "(comm)": state, ppid, pgrp, session
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            assertThat(Long.parseLong(fields[3])).as("session of redis-server").isEqualTo(pid);
            assertThat(ProcessHandle.of(pid).orElseThrow().info().command().orElseThrow()).contains("redis-server");
            withRedis(server, redis -> assertThat(redis.ping()).isEqualTo("PONG"));
        }
    }

    @Test
    void takenPortNamesThePortAndTheConfigKey() throws IOException {
        try (ServerSocket squatter = new ServerSocket()) {
            squatter.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = squatter.getLocalPort();
            assertThatThrownBy(() -> EmbeddedRedisServer.start(dataDir, RedisConfig.embedded(port)))
                    .isInstanceOf(PortInUseException.class)
                    .hasMessageContaining("127.0.0.1:" + port)
                    .hasMessageContaining("data.redis.port");
        }
    }

    /** A killed owner leaves redis-server running on the port; the next start stops it. */
    @Test
    void stopsAnOrphanLeftByAKilledOwner() throws Exception {
        int port;
        String binary;
        Path pidFile = dataDir.resolve("redis").resolve("redis.pid");
        try (EmbeddedRedisServer server = EmbeddedRedisServer.start(dataDir, RedisConfig.embedded(0))) {
            port = server.port();
            binary = ProcessHandle.of(Long.parseLong(Files.readString(pidFile).strip())).orElseThrow()
                    .info().command().orElseThrow();
        }
        // An orphan from the same binary, recorded in the pid file the way the dead owner left it.
        Process orphan = new ProcessBuilder(binary, "--port", String.valueOf(port), "--bind", "127.0.0.1",
                "--save", "", "--pidfile", pidFile.toString()).start();
        try {
            awaitListening(port);
            awaitPidFile(pidFile, orphan.pid()); // redis writes it just after it listens: the dead owner's state
            try (EmbeddedRedisServer restarted = EmbeddedRedisServer.start(dataDir, RedisConfig.embedded(port))) {
                assertThat(orphan.isAlive()).isFalse();
                withRedis(restarted, redis -> assertThat(redis.ping()).isEqualTo("PONG"));
            }
        } finally {
            orphan.destroyForcibly();
        }
    }

    private static void awaitListening(int port) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (LoopbackPorts.isFree(port)) {
            assertThat(System.nanoTime()).as("orphan listening").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private static void awaitPidFile(Path pidFile, long pid) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!Files.exists(pidFile) || !Files.readString(pidFile).strip().equals(String.valueOf(pid))) {
            assertThat(System.nanoTime()).as("orphan's pid file written").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private static void withRedis(EmbeddedRedisServer server, java.util.function.Consumer<RedisCommands<String, String>> body) {
        RedisURI uri = RedisURI.create(server.url());
        uri.setTimeout(Duration.ofMillis(RedisConfig.DEFAULT_TIMEOUT_MS));
        RedisClient client = RedisClient.create(uri);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            body.accept(connection.sync());
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }
}
