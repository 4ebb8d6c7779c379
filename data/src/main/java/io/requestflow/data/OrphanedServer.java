package io.requestflow.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deals with the pid file an embedded server left behind when its owner died without stopping it.
 *
 * <p>Servers are separate OS processes, so {@code kill -9} of the JVM leaves them running and holding the
 * port; the next start would fail. Callers must hold the {@link DataDirectoryLock} first: that proves the
 * previous owner is gone, so a live server in the pid file is an orphan and safe to stop.
 */
final class OrphanedServer {

    private static final Logger log = LoggerFactory.getLogger(OrphanedServer.class);
    private static final Duration GRACE = Duration.ofSeconds(15);

    private OrphanedServer() {
    }

    /**
     * Stops the server named in {@code pidFile} if it still runs. A dead pid is left alone: PostgreSQL
     * and Redis both recover from stale pid files themselves (PostgreSQL also checks shared memory, which
     * deleting the file would defeat). A pid reused by an unrelated process is deleted, because PostgreSQL
     * would otherwise refuse to start.
     *
     * @param isServerExecutable tells the server's executable file name from an unrelated process
     */
    static void stopIfRunning(Path pidFile, Predicate<String> isServerExecutable, String server) {
        Optional<Long> pid = readPid(pidFile);
        if (pid.isEmpty()) {
            return;
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid.get()).filter(ProcessHandle::isAlive);
        if (process.isEmpty() || pid.get() == ProcessHandle.current().pid()) {
            return;
        }
        Optional<String> executable = process.get().info().command().map(c -> Path.of(c).getFileName().toString());
        if (executable.isEmpty()) {
            log.warn("{} names pid {}, which is alive but cannot be inspected; leaving it alone", pidFile, pid.get());
            return;
        }
        if (!isServerExecutable.test(executable.get())) {
            log.info("Removing stale {}: pid {} now belongs to an unrelated process ({})", pidFile, pid.get(), executable.get());
            delete(pidFile);
            return;
        }
        log.warn("Stopping orphaned embedded {} (pid {}) left running by a previous owner of {}", server, pid.get(), pidFile.getParent());
        terminate(process.get(), server);
    }

    private static Optional<Long> readPid(Path pidFile) {
        try {
            List<String> lines = Files.readAllLines(pidFile);
            return lines.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(lines.getFirst().strip()));
        } catch (java.nio.file.NoSuchFileException e) {
            return Optional.empty();
        } catch (NumberFormatException e) {
            log.info("Removing unreadable pid file {}", pidFile);
            delete(pidFile);
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SIGTERM first: a clean shutdown (PostgreSQL "smart" mode) needs no crash recovery on the next start. */
    private static void terminate(ProcessHandle process, String server) {
        process.destroy();
        if (awaitExit(process, GRACE)) {
            return;
        }
        log.warn("Orphaned {} (pid {}) ignored SIGTERM for {} s; killing it", server, process.pid(), GRACE.toSeconds());
        process.destroyForcibly();
        if (!awaitExit(process, GRACE)) {
            throw new IllegalStateException("Cannot stop orphaned " + server + " (pid " + process.pid() + "); stop it by hand");
        }
    }

    private static boolean awaitExit(ProcessHandle process, Duration timeout) {
        try {
            process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return !process.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping pid " + process.pid(), e);
        }
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
