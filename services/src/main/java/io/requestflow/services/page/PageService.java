package io.requestflow.services.page;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.requestflow.engine.client.UpstreamClient;
import io.requestflow.engine.client.UpstreamException;
import io.requestflow.engine.http.HttpError;
import io.requestflow.engine.http.Json;
import io.requestflow.engine.http.Problem;
import io.requestflow.engine.http.Request;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.pipeline.Exchange;
import io.requestflow.engine.pipeline.Stage;
import io.requestflow.engine.proxy.Forwarder;
import io.requestflow.engine.service.Router;
import io.requestflow.engine.trace.Tracing;
import io.requestflow.services.CacheHeaders;
import io.requestflow.services.Ids;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The product page (a backend-for-frontend): {@code GET /api/pages/products/{id}} calls catalog,
 * inventory, reviews and recommendations over HTTP at the same time, so the page takes as long as its
 * slowest part, not their sum. Each call has its own timeout, circuit breaker and bulkhead. An optional
 * part that fails, times out or is shed comes back as {@code null} and is named in {@code degraded};
 * the product itself is required, and its failure fails the page with the matching status.
 */
public final class PageService {
    private final List<Part> parts;
    private final UpstreamClient client;
    private final DistributionSummary fanOut;
    private final MeterRegistry registry;

    /** Why a part has no value. */
    private record Outcome(Part part, JsonNode body, int status, String failure, int failureStatus, boolean attempted) {
        boolean ok() {
            return failure == null;
        }
    }

    public PageService(List<Part> parts, UpstreamClient client, MeterRegistry registry) {
        this.parts = List.copyOf(parts);
        this.client = client;
        this.registry = registry;
        this.fanOut = DistributionSummary.builder("requestflow.page.fanout")
                .description("Upstream calls made for one product page").register(registry);
        for (Part p : parts) {
            Gauge.builder("requestflow.page.breaker.state", p.breaker(), b -> switch (b.getState()) {
                case CLOSED -> 0;
                case OPEN, FORCED_OPEN -> 1;
                case HALF_OPEN -> 2;
                default -> 3;
            }).description("Circuit state per part: 0 closed, 1 open, 2 half-open").tag("part", p.name())
                    .register(registry);
        }
    }

    public List<Stage> stages(Executor blocking) {
        return List.of(Router.builder()
                .get("/api/pages/products/{id}", (ex, p) -> page(ex, Ids.positive("product id", p.get("id"))))
                .build(blocking));
    }

    public Part part(String name) {
        return parts.stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
    }

    private Response page(Exchange ex, long id) {
        List<CompletableFuture<Outcome>> calls = new ArrayList<>();
        for (Part part : parts) calls.add(call(ex, part, id));
        CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).join();
        fanOut.record(calls.stream().filter(c -> c.join().attempted()).count());
        Map<String, Object> body = new LinkedHashMap<>();
        List<String> degraded = new ArrayList<>();
        for (CompletableFuture<Outcome> call : calls) {
            Outcome o = call.join();
            if (o.part().required() && !o.ok()) return requiredFailed(ex, id, o);
            body.put(o.part().name(), o.ok() ? o.body() : null);
            if (!o.ok()) degraded.add(o.part().name() + ": " + o.failure());
        }
        body.put("degraded", degraded.stream().map(d -> d.substring(0, d.indexOf(':'))).toList());
        if (!degraded.isEmpty()) {
            body.put("degradedReasons", degraded);
            ex.describe("degraded");
        }
        // a degraded page must not be kept by shared caches; a whole one is fresh for a few seconds (stock moves)
        return CacheHeaders.json(ex, Json.bytes(body), degraded.isEmpty() ? "public, max-age=5" : "no-store");
    }

    private static Response requiredFailed(Exchange ex, long id, Outcome o) {
        ex.describe(o.part().name() + " failed");
        if (o.status() == 404) throw HttpError.notFound("product " + id + " does not exist");
        String title = switch (o.failureStatus()) {
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> "Bad Gateway";
        };
        return Problem.of(o.failureStatus(), title, "page: the product page needs " + o.part().name() + ", which "
                + o.failure(), Map.of("part", o.part().name(), "requestId", ex.requestId()));
    }

    /** One guarded call; always completes (never exceptionally) with what happened. */
    private CompletableFuture<Outcome> call(Exchange ex, Part part, long id) {
        CircuitBreaker breaker = part.breaker();
        if (!breaker.tryAcquirePermission()) {
            return notCalled(ex, part, "has its circuit open (failing fast)", "open");
        }
        if (!part.bulkhead().tryAcquirePermission()) {
            breaker.releasePermission();
            return notCalled(ex, part, "has too many calls in flight (bulkhead full)", "bulkhead");
        }
        HttpHeaders headers = new DefaultHttpHeaders();
        headers.set("x-request-id", ex.requestId());
        headers.set("accept", "application/json");
        Span span = ex.tracing().startClient(ex.span(), "GET " + part.name());
        span.setAttribute("server.address", part.upstream().host());
        span.setAttribute("server.port", part.upstream().port());
        Tracing.inject(span, headers);
        Request request = new Request("GET", part.pathPrefix() + id, headers, new byte[0], null);
        long start = System.nanoTime();
        return client.send(part.upstream(), request, part.timeoutMs())
                .orTimeout(part.timeoutMs(), TimeUnit.MILLISECONDS)
                .handle((response, error) -> {
                    part.bulkhead().onComplete();
                    long nanos = System.nanoTime() - start;
                    Outcome o;
                    if (error != null) {
                        Throwable cause = Forwarder.unwrap(error);
                        breaker.onError(nanos, TimeUnit.NANOSECONDS, cause);
                        boolean timeout = cause instanceof TimeoutException
                                || (cause instanceof UpstreamException ue && ue.kind().status == 504);
                        o = new Outcome(part, null, 0, timeout ? "did not answer within " + part.timeoutMs() + " ms"
                                : "failed: " + cause.getMessage(), timeout ? 504 : 502, true);
                        span.setStatus(StatusCode.ERROR, o.failure());
                    } else if (response.status() >= 500) {
                        breaker.onError(nanos, TimeUnit.NANOSECONDS, new IllegalStateException("HTTP " + response.status()));
                        o = new Outcome(part, null, response.status(), "answered " + response.status(), 502, true);
                    } else if (response.status() >= 400) {
                        // the dependency is healthy; the answer is just "no" (a 404 product, say)
                        breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
                        o = new Outcome(part, null, response.status(), "answered " + response.status(), 502, true);
                    } else {
                        breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
                        o = new Outcome(part, parse(response), response.status(), null, 0, true);
                    }
                    if (response != null) span.setAttribute("http.response.status_code", response.status());
                    span.end();
                    ex.recordCall(part.name(), nanos, o.ok() ? Integer.toString(o.status()) : outcomeTag(o));
                    count(part, o.ok() ? "ok" : outcomeTag(o));
                    return o;
                });
    }

    private static JsonNode parse(Response response) {
        try {
            return Json.tree(response.body());
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String outcomeTag(Outcome o) {
        if (o.failureStatus() == 504) return "timeout";
        return o.status() > 0 ? Integer.toString(o.status()) : "error";
    }

    /** A call refused before it was made (circuit open, bulkhead full): fails fast as 503. */
    private CompletableFuture<Outcome> notCalled(Exchange ex, Part part, String failure, String tag) {
        ex.recordCall(part.name(), 0, tag);
        count(part, tag);
        return CompletableFuture.completedFuture(new Outcome(part, null, 0, failure, 503, false));
    }

    private void count(Part part, String outcome) {
        Counter.builder("requestflow.page.calls").description("Calls from the page to its parts, by outcome")
                .tag("part", part.name()).tag("outcome", outcome).register(registry).increment();
    }
}
