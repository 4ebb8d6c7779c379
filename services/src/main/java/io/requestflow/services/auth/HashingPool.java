package io.requestflow.services.auth;

import io.requestflow.engine.http.HttpError;
import io.requestflow.engine.os.ThreadNice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Where password hashes are computed: a few threads at a lower scheduling priority (nice), with a bounded
 * queue. An Argon2id hash takes a core for over 100 ms; run at the request path's priority on a small
 * machine, every hop beside it waits (the default load run's hop p99s were several times higher with logins
 * than without, docs/benchmarks.md). At a lower priority a hash takes the CPU the path leaves idle, so a
 * login waits rather than every other request. A full queue is a 503 with {@code Retry-After}, a hash
 * that does not finish in time a 503 too: never an unbounded pile of logins.
 *
 * @see AuthConfig.Hashing
 */
final class HashingPool implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HashingPool.class);

    private final AuthConfig.Hashing settings;
    private final ThreadPoolExecutor pool;
    private final AtomicBoolean warned = new AtomicBoolean();

    HashingPool(AuthConfig.Hashing settings) {
        this.settings = settings;
        this.pool = new ThreadPoolExecutor(settings.threads(), settings.threads(), 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(settings.queue()), Thread.ofPlatform().daemon().name("auth-hash-", 0)
                .factory());
        pool.allowCoreThreadTimeOut(true);
    }

    /** Runs {@code work} on a hashing thread and waits for it, up to the configured timeout. */
    <T> T run(Supplier<T> work) {
        Future<T> done;
        try {
            done = pool.submit(() -> {
                lowerPriorityOnce();
                return work.get();
            });
        } catch (RejectedExecutionException full) {
            throw busy("more logins are waiting for a password check than auth.hashQueue allows");
        }
        try {
            return done.get(settings.timeoutMs(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            done.cancel(true);
            throw busy("a password check took longer than auth.hashTimeoutMs");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw busy("interrupted while waiting for a password check");
        }
    }

    /** Password checks waiting for a thread. */
    int waiting() {
        return pool.getQueue().size();
    }

    private void lowerPriorityOnce() {
        if (settings.nice() == 0 || THREAD_LOWERED.get()) return;
        THREAD_LOWERED.set(true);
        if (!ThreadNice.lowerCurrentThread(settings.nice()) && warned.compareAndSet(false, true)) {
            LOG.warn("auth: cannot lower the hashing threads' priority here; password hashes compete with requests"
                    + " for the CPU");
        }
    }

    /** Each pool thread lowers its own priority once, on its first task (a thread can only lower its own). */
    private static final ThreadLocal<Boolean> THREAD_LOWERED = ThreadLocal.withInitial(() -> false);

    private static HttpError busy(String why) {
        return HttpError.unavailable("auth is busy checking passwords (" + why + "); retry in a moment", 1);
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
