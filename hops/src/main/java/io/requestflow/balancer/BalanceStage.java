package io.requestflow.balancer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.requestflow.engine.http.Problem;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.pipeline.Chain;
import io.requestflow.engine.pipeline.Exchange;
import io.requestflow.engine.pipeline.Stage;
import io.requestflow.engine.proxy.Forwarder;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The balancer's one stage: pick an instance, forward, and on a retryable failure try another one
 * after a jittered backoff, while the retry budget allows. Every answer feeds outlier detection.
 * The Server-Timing description names the instance that answered and how many retries it took.
 */
final class BalanceStage implements Stage {
    private final TargetGroup group;
    private final Picker picker;
    private final OutlierDetector outliers;
    private final RetryPolicy retries;
    private final RetryBudget budget;
    private final Forwarder forwarder;
    private final EventLoopGroup loops;
    private final long slowStartMs;
    private final boolean sticky;
    private final Counter retryCounter;
    private final Counter budgetExhausted;
    private final Counter panics;

    BalanceStage(TargetGroup group, Picker picker, OutlierDetector outliers, RetryPolicy retries, RetryBudget budget,
                 Forwarder forwarder, EventLoopGroup loops, BalancerConfig.Policy policy, MeterRegistry registry) {
        this.group = group;
        this.picker = picker;
        this.outliers = outliers;
        this.retries = retries;
        this.budget = budget;
        this.forwarder = forwarder;
        this.loops = loops;
        this.slowStartMs = policy.slowStartMs();
        this.sticky = picker instanceof RingHashPicker;
        this.retryCounter = Counter.builder("requestflow.balancer.retries")
                .description("attempts repeated on another instance").register(registry);
        this.budgetExhausted = Counter.builder("requestflow.balancer.retry.budget.exhausted")
                .description("retries refused because the retry budget was spent").register(registry);
        this.panics = Counter.builder("requestflow.balancer.panic")
                .description("requests routed in panic mode (too few available instances)").register(registry);
    }

    @Override
    public CompletableFuture<Response> handle(Exchange exchange, Chain next) {
        budget.deposit();
        CompletableFuture<Response> result = new CompletableFuture<>();
        attempt(exchange, result, 0, new ArrayList<>(2));
        return result;
    }

    private void attempt(Exchange exchange, CompletableFuture<Response> result, int retry, List<Instance> tried) {
        long now = System.nanoTime();
        boolean panic = group.panic(now);
        List<Instance> candidates = group.candidates(now, panic, tried);
        if (candidates.isEmpty()) {
            exchange.describe(retry == 0 ? "NO_HEALTHY_TARGET" : "NO_HEALTHY_TARGET retries=" + retry);
            result.complete(Problem.of(503, "Service Unavailable",
                    exchange.hop() + ": no healthy instance in the target group",
                    Map.of("hop", exchange.hop(), "requestId", exchange.requestId())));
            return;
        }
        if (panic) panics.increment();
        Instance instance = slowStart(picker.pick(candidates, exchange), candidates, now);
        tried.add(instance);
        instance.begin();
        long start = now; // the attempt's latency counts from its pick (well under a µs earlier): one clock read less
        // the outcome comes as a callback (no future from the forwarder and no dependent stage on it per attempt)
        forwarder.send(exchange, instance.address(), retries.perTryTimeoutMs(), (response, error) -> {
            try {
                outcome(exchange, result, retry, tried, instance, start, panic, response, error);
            } catch (RuntimeException e) {
                result.completeExceptionally(e); // the hop answers 500 and logs it, rather than its safety timeout
            }
        });
    }

    /** What to do with an attempt's answer or failure: count it, retry elsewhere, or complete the request. */
    private void outcome(Exchange exchange, CompletableFuture<Response> result, int retry, List<Instance> tried,
                         Instance instance, long start, boolean panic, Response response, Throwable error) {
        Throwable cause = error == null ? null : Forwarder.unwrap(error);
        instance.end(start, System.nanoTime(), cause != null || response.status() >= 500);
        if (cause == null) outliers.response(instance, response.status());
        else outliers.error(instance, cause);
        boolean wanted = cause != null ? retries.retryable(exchange.request(), cause)
                : retries.retryable(exchange.request(), response.status());
        String note = panic ? " panic" : "";
        if (wanted && retry < retries.maxRetries()) {
            if (budget.tryWithdraw()) {
                if (response != null) response.release(); // a retried answer is never sent on
                retryCounter.increment();
                later(retries.backoffMs(retry + 1), () -> attempt(exchange, result, retry + 1, tried), result,
                        exchange);
                return;
            }
            budgetExhausted.increment();
            note += " retry-budget-exhausted";
        }
        // the usual answer (first try, no panic) names the instance with no string built per request
        exchange.describe(retry == 0 && note.isEmpty() ? instance.name()
                : instance.name() + (retry > 0 ? " retries=" + retry : "") + note);
        if (!result.complete(cause == null ? response : Forwarder.problemFor(exchange, cause))
                && response != null) {
            response.release();
        }
    }

    private void later(long delayMs, Runnable task, CompletableFuture<Response> result, Exchange exchange) {
        try {
            if (delayMs <= 0) loops.next().execute(task);
            else loops.next().schedule(task, delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            result.complete(Problem.of(503, "Service Unavailable", exchange.hop() + ": shutting down",
                    Map.of("hop", exchange.hop(), "requestId", exchange.requestId())));
        }
    }

    /** A newly healthy instance takes only its ramp's share; the rest goes to instances past their ramp. */
    private Instance slowStart(Instance picked, List<Instance> candidates, long now) {
        if (slowStartMs <= 0 || sticky || candidates.size() < 2) return picked;
        double factor = picked.slowStartFactor(now, slowStartMs);
        ThreadLocalRandom random = ThreadLocalRandom.current();
        if (factor >= 1 || random.nextDouble() < factor) return picked;
        List<Instance> warm = new ArrayList<>(candidates.size());
        for (Instance i : candidates) if (i.slowStartFactor(now, slowStartMs) >= 1) warm.add(i);
        return warm.isEmpty() ? picked : warm.get(random.nextInt(warm.size()));
    }
}
