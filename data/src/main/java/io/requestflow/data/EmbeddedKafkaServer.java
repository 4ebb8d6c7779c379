package io.requestflow.data;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * A single-node Kafka (KRaft: broker and controller in one) in a JVM of its own, started from the
 * project's own classpath ({@link KafkaBroker}), listening on 127.0.0.1 only. {@code <dataDir>/kafka}
 * holds its log directory (topics survive restarts), its configuration, its output ({@code broker.log})
 * and its pid file (to stop an orphan after a crash). Like Redis, it runs in a session of its own, so a
 * terminal's Ctrl-C reaches only the owner, which then stops it in order.
 */
public final class EmbeddedKafkaServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaServer.class);
    /** A first start formats storage and starts a JVM: allow for a slow, loaded machine. */
    private static final long START_TIMEOUT_MS = 120_000;

    private final Process process;
    private final DataDirectoryLock lock;
    private final Path pidFile;
    private final int port;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedKafkaServer(Process process, DataDirectoryLock lock, Path pidFile, int port) {
        this.process = process;
        this.lock = lock;
        this.pidFile = pidFile;
        this.port = port;
    }

    public static EmbeddedKafkaServer start(Path dataDir, KafkaConfig config) {
        Path directory = dataDir.toAbsolutePath().normalize().resolve("kafka");
        DataDirectoryLock lock = DataDirectoryLock.acquire(directory, "Kafka");
        try {
            Files.createDirectories(directory);
            Path pidFile = directory.resolve("broker.pid");
            stopOrphan(pidFile);
            // ports picked here (port 0) can be taken by another listener before the broker binds them, so
            // a broker that could not bind them tries other ones
            int attempts = config.port() == 0 ? 3 : 1;
            for (int attempt = 1; ; attempt++) {
                // the controller always sits on port + 1, so a restart on the same port finds it where it was
                int port = config.port() == 0 ? freePair() : LoopbackPorts.resolve(config.port(), "Kafka", KafkaConfig.PORT_KEY);
                int controller = port + 1;
                if (!LoopbackPorts.isFree(controller)) {
                    // a picked pair can lose its second port to another listener between the two checks: pick again
                    if (attempt < attempts) continue;
                    throw new PortInUseException("Kafka's controller", controller, KafkaConfig.PORT_KEY + " (controller: port + 1)");
                }
                Path logs = directory.resolve("logs");
                Path properties = directory.resolve("server.properties");
                Files.writeString(properties, properties(port, controller, logs));
                long started = System.nanoTime();
                Process process = launch(directory, properties, logs, config.heapMb());
                Files.writeString(pidFile, Long.toString(process.pid()));
                try {
                    awaitReady(process, port, directory.resolve("broker.log"));
                } catch (RuntimeException e) {
                    stop(process.toHandle());
                    Files.deleteIfExists(pidFile);
                    if (attempt < attempts && e instanceof ExitedWhileStarting) {
                        log.info("embedded Kafka could not start on ports {} and {} ({}); trying others", port, controller,
                                e.getMessage());
                        continue;
                    }
                    throw e;
                }
                EmbeddedKafkaServer server = new EmbeddedKafkaServer(process, lock, pidFile, port);
                log.info("Embedded Kafka ready at {} in {} ms (KRaft, one node; logs in {})", server.bootstrap(),
                        (System.nanoTime() - started) / 1_000_000, logs);
                return server;
            }
        } catch (IOException e) {
            lock.close();
            throw new UncheckedIOException("starting embedded Kafka in " + directory + " failed", e);
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /** A free port whose next port is free too. */
    private static int freePair() {
        for (int i = 0; i < 50; i++) {
            int port = LoopbackPorts.pickFree();
            if (port < 65535 && LoopbackPorts.isFree(port + 1) && LoopbackPorts.reserve(port + 1)) return port;
        }
        throw new IllegalStateException("found no two free neighbouring ports for Kafka and its controller");
    }

    /** {@code 127.0.0.1:port}: the bootstrap servers to give clients. */
    public String bootstrap() {
        return LoopbackPorts.HOST + ":" + port;
    }

    public int port() {
        return port;
    }

    private static String properties(int port, int controller, Path logs) {
        String host = LoopbackPorts.HOST;
        return String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.bootstrap.servers=" + host + ":" + controller,
                "listeners=PLAINTEXT://" + host + ":" + port + ",CONTROLLER://" + host + ":" + controller,
                "advertised.listeners=PLAINTEXT://" + host + ":" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                "log.dirs=" + logs,
                "num.partitions=3",
                // one node: every internal topic has one replica
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "") ;
    }

    /** The same java and classpath as this process, with a heap cap and quiet logging. */
    private static Process launch(Path directory, Path properties, Path logs, int heapMb) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>();
        Stream.of("/usr/bin/setsid", "/bin/setsid").map(Path::of).filter(Files::isExecutable).findFirst()
                .ifPresent(setsid -> command.add(setsid.toString()));
        command.addAll(List.of(java, "-Xmx" + heapMb + "m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-Dorg.slf4j.simpleLogger.showDateTime=true",
                "-cp", System.getProperty("java.class.path"), KafkaBroker.class.getName(), properties.toString(),
                logs.toString()));
        return new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(directory.resolve("broker.log").toFile())).start();
    }

    /** The broker process ended before it answered. */
    private static final class ExitedWhileStarting extends IllegalStateException {
        ExitedWhileStarting(String message) {
            super(message);
        }
    }

    private static void awaitReady(Process process, int port, Path output) {
        String bootstrap = LoopbackPorts.HOST + ":" + port;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
        Map<String, Object> settings = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3_000);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new ExitedWhileStarting("embedded Kafka exited with " + process.exitValue() + " while starting: "
                        + tail(output) + " (whole output in " + output + ")");
            }
            if (LoopbackPorts.isFree(port)) {
                sleep(200);
                continue;
            }
            try (Admin admin = Admin.create(settings)) {
                if (!admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty()) return;
            } catch (Exception notYet) {
                sleep(200);
            }
        }
        throw new IllegalStateException("embedded Kafka did not answer on " + bootstrap + " within "
                + START_TIMEOUT_MS / 1000 + " s: " + tail(output));
    }

    private static String tail(Path output) {
        try {
            List<String> lines = Files.readAllLines(output, StandardCharsets.UTF_8);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException e) {
            return "(no output)";
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Kafka");
        }
    }

    /** A broker whose owner died (we hold the lock, so it has no owner): stop it before starting ours. */
    private static void stopOrphan(Path pidFile) throws IOException {
        if (!Files.exists(pidFile)) return;
        Optional<ProcessHandle> orphan = Optional.empty();
        try {
            orphan = ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim()))
                    .filter(ProcessHandle::isAlive)
                    .filter(p -> p.info().commandLine().orElse("").contains(KafkaBroker.class.getName()));
        } catch (NumberFormatException ignored) {
            // a damaged pid file names nothing
        }
        if (orphan.isPresent()) {
            log.warn("stopping an embedded Kafka (pid {}) left running by a previous owner", orphan.get().pid());
            stop(orphan.get());
        }
        Files.deleteIfExists(pidFile);
    }

    private static void stop(ProcessHandle process) {
        process.destroy(); // SIGTERM: Kafka shuts down in order
        try {
            process.onExit().get(20, TimeUnit.SECONDS);
        } catch (Exception slow) {
            process.destroyForcibly();
        }
    }

    @Override
    public void close() {
        if (closed.getAndSet(true)) return;
        try {
            stop(process.toHandle());
            Files.deleteIfExists(pidFile);
            log.info("Stopped embedded Kafka on port {}", port);
        } catch (IOException e) {
            log.warn("embedded Kafka stopped, but its pid file stays: {}", e.getMessage());
        } finally {
            lock.close();
        }
    }
}
