package io.requestflow.topology;

import io.requestflow.dns.DnsConfig;
import io.requestflow.dns.geo.ClientLocator;
import io.requestflow.engine.net.wan.WanRelay;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * How far a client is from the edge: its region found from its address as the DNS hop finds it
 * ({@code dns.regions}, else {@code dns.defaultRegion}), then half of {@code dns.latencyMs[its region][edge
 * region]} each way. The same table that steers latency-routed answers is the delay the link imposes.
 */
final class WanDelays implements WanRelay.Delay {
    private final ClientLocator locator;
    private final Map<String, Map<String, Integer>> latencyMs;
    private final String edgeRegion;

    WanDelays(DnsConfig dns, String edgeRegion) {
        this.locator = new ClientLocator(dns.regions(), dns.defaultRegion(), null);
        this.latencyMs = dns.latencyMs();
        this.edgeRegion = edgeRegion == null || edgeRegion.isBlank() ? dns.defaultRegion() : edgeRegion.strip();
        boolean known = latencyMs.values().stream().anyMatch(row -> row.containsKey(this.edgeRegion));
        if (!known) {
            TreeSet<String> regions = new TreeSet<>();
            latencyMs.values().forEach(row -> regions.addAll(row.keySet()));
            throw new IllegalArgumentException("wan.edgeRegion '" + this.edgeRegion + "' has no round trips in"
                    + " dns.latencyMs; use one of " + regions + " or add a column for it");
        }
    }

    String edgeRegion() {
        return edgeRegion;
    }

    /** The round trip from {@code client}'s region to the edge's, in ms (0 when the table has no entry). */
    int roundTripMs(InetAddress client) {
        String region = locator.locate(client, client instanceof Inet4Address ? 32 : 128).region();
        Integer ms = latencyMs.getOrDefault(region, Map.of()).get(edgeRegion);
        return ms == null ? 0 : ms;
    }

    @Override
    public long oneWayNanos(InetAddress client) {
        return TimeUnit.MILLISECONDS.toNanos(roundTripMs(client)) / 2;
    }
}
