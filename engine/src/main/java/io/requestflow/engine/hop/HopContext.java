package io.requestflow.engine.hop;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.requestflow.engine.client.ClientConfig;
import io.requestflow.engine.client.UpstreamClient;
import io.requestflow.engine.fault.Faults;
import io.requestflow.engine.trace.Tracing;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * One hop instance's own resources: its name, metrics registry, tracer and the clients it opened.
 * Closing it closes them all, newest first.
 */
public final class HopContext implements AutoCloseable {
    private final Engine engine;
    private final String hop;
    private final String instance;
    private final PrometheusMeterRegistry registry;
    private final Tracing tracing;
    private final Faults faults;
    private final Deque<AutoCloseable> owned = new ArrayDeque<>();

    HopContext(Engine engine, String hop, String instance) {
        this.engine = engine;
        this.hop = hop;
        this.instance = instance;
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        this.registry.config().commonTags("hop", hop, "instance", instance);
        this.tracing = new Tracing(hop, instance, engine.spans(), engine.sampleRatio());
        this.faults = new Faults(instance, registry);
    }

    public Engine engine() {
        return engine;
    }

    public String hop() {
        return hop;
    }

    public String instance() {
        return instance;
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    public Tracing tracing() {
        return tracing;
    }

    /** What is broken in this instance on purpose ({@code ./flow break}); usually nothing. */
    public Faults faults() {
        return faults;
    }

    /** A pooled upstream client owned by this hop instance. */
    public UpstreamClient client(ClientConfig config) {
        return own(new UpstreamClient(config, engine.group()));
    }

    /** Registers something to close with this hop. */
    public synchronized <T extends AutoCloseable> T own(T resource) {
        owned.push(resource);
        return resource;
    }

    @Override
    public synchronized void close() {
        while (!owned.isEmpty()) {
            try {
                owned.pop().close();
            } catch (Exception e) {
                org.slf4j.LoggerFactory.getLogger(HopContext.class).warn("{}: error while closing", instance, e);
            }
        }
        tracing.close();
        registry.close();
    }
}
