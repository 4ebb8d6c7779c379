package io.requestflow.balancer;

import io.requestflow.engine.client.UpstreamException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.function.Supplier;

/**
 * Passive health: watches every answer and ejects an instance after too many failures in a row, for
 * a time that grows with each ejection (base, 2x base, ...; capped), never ejecting more than the
 * configured share of the group at once. The instance returns by itself when its time is up.
 */
final class OutlierDetector {
    private static final Logger LOG = LoggerFactory.getLogger(OutlierDetector.class);

    private final BalancerConfig.Outlier config;
    private final Supplier<List<Instance>> members;
    private volatile Runnable onEject = () -> {};

    OutlierDetector(BalancerConfig.Outlier config, Supplier<List<Instance>> members) {
        this.config = config;
        this.members = members;
    }

    void onEject(Runnable listener) {
        this.onEject = listener;
    }

    /** An answer arrived (any status). */
    void response(Instance instance, int status) {
        boolean gatewayFailure = status == 502 || status == 503 || status == 504;
        if (status >= 500) failure(instance, gatewayFailure);
        else success(instance);
    }

    /** The call failed without an answer. Local overload (pool or circuit full) says nothing about the instance. */
    void error(Instance instance, Throwable error) {
        if (error instanceof UpstreamException ue && (ue.kind() == UpstreamException.Kind.POOL_EXHAUSTED
                || ue.kind() == UpstreamException.Kind.CIRCUIT_OPEN)) {
            return;
        }
        failure(instance, true);
    }

    private void success(Instance instance) {
        // the usual answer finds nothing to reset: no lock shared by every loop for every response then
        if (instance.consecutive5xx == 0 && instance.consecutiveGatewayFailures == 0) return;
        synchronized (this) {
            instance.consecutive5xx = 0;
            instance.consecutiveGatewayFailures = 0;
        }
    }

    private synchronized void failure(Instance instance, boolean gatewayFailure) {
        instance.consecutive5xx++;
        if (gatewayFailure) instance.consecutiveGatewayFailures++;
        long now = System.nanoTime();
        if (instance.ejected(now)) return;
        boolean trip = instance.consecutive5xx >= config.consecutive5xx()
                || instance.consecutiveGatewayFailures >= config.consecutiveGatewayFailures();
        if (!trip || !roomToEject(now)) return;
        // a long clean run since the last ejection forgives the earlier ones
        if (instance.ejections > 0 && now - instance.lastEjectionEndNanos > config.maxEjectionMs() * 1_000_000L) {
            instance.ejections = 0;
        }
        instance.ejections++;
        long ms = Math.min(config.maxEjectionMs(), config.baseEjectionMs() * instance.ejections);
        instance.ejectedUntilNanos = now + ms * 1_000_000L;
        instance.lastEjectionEndNanos = instance.ejectedUntilNanos;
        instance.consecutive5xx = 0;
        instance.consecutiveGatewayFailures = 0;
        LOG.info("balancer: ejected {} ({}) for {} ms after consecutive failures (ejection #{})", instance.name(),
                instance.address(), ms, instance.ejections);
        onEject.run();
    }

    private boolean roomToEject(long now) {
        List<Instance> all = members.get();
        int ejected = 0;
        for (Instance i : all) if (i.ejected(now)) ejected++;
        int max = Math.max(1, all.size() * config.maxEjectionPercent() / 100);
        return ejected < max;
    }
}
