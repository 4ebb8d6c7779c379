package io.requestflow.services.page;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.requestflow.engine.net.HostPort;

import java.time.Duration;

/**
 * One dependency of the page: where it lives, the path for a product, its timeout, and its own circuit
 * breaker and bulkhead, so one slow or failing service cannot take the others down with it.
 */
public record Part(String name, HostPort upstream, String pathPrefix, long timeoutMs, boolean required,
                   CircuitBreaker breaker, Bulkhead bulkhead) {

    public static Part of(String name, HostPort upstream, String pathPrefix, long timeoutMs, boolean required,
                          PageConfig config) {
        PageConfig.Breaker b = config.breaker();
        CircuitBreaker breaker = CircuitBreaker.of(name, CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.TIME_BASED)
                .slidingWindowSize(b.windowSeconds())
                .minimumNumberOfCalls(b.minCalls())
                .failureRateThreshold(b.failureRatePercent())
                .waitDurationInOpenState(Duration.ofMillis(b.openMs()))
                .permittedNumberOfCallsInHalfOpenState(b.halfOpenCalls())
                .build());
        Bulkhead bulkhead = Bulkhead.of(name, BulkheadConfig.custom()
                .maxConcurrentCalls(config.bulkheadMaxConcurrent())
                .maxWaitDuration(Duration.ZERO)
                .build());
        return new Part(name, upstream, pathPrefix, timeoutMs, required, breaker, bulkhead);
    }
}
