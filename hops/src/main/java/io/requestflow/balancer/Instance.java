package io.requestflow.balancer;

import io.requestflow.engine.net.HostPort;

import java.net.URI;

/**
 * One target and its health as the checker sees it. An instance starts unhealthy and takes traffic
 * after its first passing check (as Envoy does at start-up); later flips need the thresholds.
 */
public final class Instance {
    private final String name;
    private final HostPort address;
    private final HostPort healthAddress;
    private final String healthPath;
    private volatile boolean healthy;
    private volatile boolean everChecked;
    private int passes;
    private int failures;
    private volatile String lastResult = "not checked yet";

    public Instance(String name, HostPort address, String healthUrl) {
        this.name = name;
        this.address = address;
        URI uri = URI.create(healthUrl);
        if (uri.getHost() == null || uri.getPort() < 0) {
            throw new IllegalArgumentException("health URL '" + healthUrl + "' needs a host and a port");
        }
        this.healthAddress = new HostPort(uri.getHost().replace("[", "").replace("]", ""), uri.getPort());
        this.healthPath = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    }

    public String name() {
        return name;
    }

    public HostPort address() {
        return address;
    }

    HostPort healthAddress() {
        return healthAddress;
    }

    String healthPath() {
        return healthPath;
    }

    public boolean healthy() {
        return healthy;
    }

    public String lastResult() {
        return lastResult;
    }

    /** Records one check; returns true when the instance changed state. */
    synchronized boolean record(boolean pass, String result, BalancerConfig.HealthCheck thresholds) {
        lastResult = result;
        boolean before = healthy;
        if (pass) {
            passes++;
            failures = 0;
            if (!healthy && (!everChecked || passes >= thresholds.healthyThreshold())) healthy = true;
        } else {
            failures++;
            passes = 0;
            if (healthy && failures >= thresholds.unhealthyThreshold()) healthy = false;
        }
        everChecked = true;
        return before != healthy;
    }
}
