package io.requestflow.services.auth;

import io.requestflow.engine.http.HttpError;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.os.ThreadNice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Hashes run below the requests' priority, and a pile-up of logins is a 503 with Retry-After, never a queue without end. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HashingPoolTest {
    @Test
    void hashesRunAtTheConfiguredNiceValueOffTheCallersThread() {
        try (HashingPool pool = new HashingPool(new AuthConfig.Hashing(1, 4, 5_000, 10))) {
            Integer nice = pool.run(ThreadNice::currentThreadNice);
            assertThat(nice).as("the hashing thread's nice value (Linux)").isEqualTo(10);
            assertThat(ThreadNice.currentThreadNice()).as("the caller keeps its own").isNotEqualTo(10);
            assertThat(pool.run(() -> Thread.currentThread().getName())).startsWith("auth-hash-");
        }
    }

    @Test
    void aFullQueueIsA503WithRetryAfter() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        // callers of their own: the common pool may have a single worker on a small machine
        var callers = java.util.concurrent.Executors.newFixedThreadPool(2);
        try (HashingPool pool = new HashingPool(new AuthConfig.Hashing(1, 1, 10_000, 10))) {
            CountDownLatch started = new CountDownLatch(1);
            // one hash holds the only thread, one waits in the queue of one
            CompletableFuture<Boolean> first = CompletableFuture.supplyAsync(() -> pool.run(() -> {
                started.countDown();
                await(release);
                return true;
            }), callers);
            assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<Boolean> second = CompletableFuture.supplyAsync(() -> pool.run(() -> true), callers);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (pool.waiting() < 1 && System.nanoTime() < deadline) Thread.sleep(5);

            assertThatThrownBy(() -> pool.run(() -> true)).isInstanceOfSatisfying(HttpError.class, refused -> {
                Response answer = refused.toResponse();
                assertThat(answer.status()).isEqualTo(503);
                assertThat(answer.headers().get("retry-after")).isEqualTo("1");
                assertThat(refused.getMessage()).contains("auth.hashQueue");
            });
            release.countDown();
            assertThat(first.get(5, TimeUnit.SECONDS)).isTrue();
            assertThat(second.get(5, TimeUnit.SECONDS)).as("the queued check still runs").isTrue();
        } finally {
            release.countDown();
            callers.shutdownNow();
        }
    }

    @Test
    void aHashThatDoesNotFinishInTimeIsA503AndItsThreadIsInterrupted() throws Exception {
        CountDownLatch interrupted = new CountDownLatch(1);
        try (HashingPool pool = new HashingPool(new AuthConfig.Hashing(1, 4, 200, 10))) {
            assertThatThrownBy(() -> pool.run(() -> {
                try {
                    Thread.sleep(10_000);
                } catch (InterruptedException e) {
                    interrupted.countDown();
                }
                return true;
            })).isInstanceOf(HttpError.class).hasMessageContaining("auth.hashTimeoutMs");
            assertThat(interrupted.await(5, TimeUnit.SECONDS)).as("the thread is given back").isTrue();
            assertThat(pool.run(() -> true)).isTrue();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
