package io.requestflow.engine.fault;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.ThreadExecutorMap;
import io.requestflow.engine.http.Problem;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.pipeline.Chain;
import io.requestflow.engine.pipeline.Exchange;
import io.requestflow.engine.pipeline.Stage;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The first stage of every HTTP hop: passes requests on untouched unless a fault was injected, in which
 * case it fails a share of them with the chosen status (a problem that says it was injected) and delays
 * the rest before they go on. The delay is a timer on the request's event loop; no thread waits.
 */
final class FaultStage implements Stage {
    private final Faults faults;

    FaultStage(Faults faults) {
        this.faults = faults;
    }

    @Override
    public CompletableFuture<Response> handle(Exchange exchange, Chain next) {
        FaultPlan plan = faults.current();
        if (plan == null) return next.proceed(exchange);
        ThreadLocalRandom random = ThreadLocalRandom.current();
        FaultPlan.Fate fate = plan.fateNow(random);
        if (fate == FaultPlan.Fate.RESET) {
            faults.countReset();
            exchange.describe("fault reset");
            return Stage.answer(Response.connectionReset());
        }
        if (fate == FaultPlan.Fate.FAIL) {
            faults.countFailed();
            exchange.describe("fault " + plan.errorStatus());
            return Stage.answer(Problem.of(plan.errorStatus(), "Injected Fault", faults.instance()
                    + " was broken on purpose (./flow break); ./flow heal " + faults.instance() + " ends it",
                    Map.of("hop", exchange.hop())));
        }
        long delay = plan.delayNowMs(random);
        if (delay == 0) return next.proceed(exchange);
        faults.countDelayed();
        exchange.describe("fault +" + delay + "ms");
        EventExecutor loop = ThreadExecutorMap.currentExecutor();
        CompletableFuture<Response> result = new CompletableFuture<>();
        Runnable resume = () -> {
            try {
                next.proceed(exchange).whenComplete((response, error) -> {
                    if (error != null) result.completeExceptionally(error);
                    else result.complete(response);
                });
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        };
        if (loop != null) loop.schedule(resume, delay, TimeUnit.MILLISECONDS);
        else CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS).execute(resume);
        return result;
    }
}
