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
 * When the origin stands in another region ({@code wan.originRegion}), the edge reaches it over a second
 * link of {@code dns.latencyMs[edge region][origin region]}: what an edge cache hit saves.
 */
final class WanDelays implements WanRelay.Delay {
    private final ClientLocator locator;
    private final Map<String, Map<String, Integer>> latencyMs;
    private final String edgeRegion;
    private final String originRegion;

    /** {@code edgeRegion} null: the default region; {@code originRegion} null: the origin stands with the edge. */
    WanDelays(DnsConfig dns, String edgeRegion, String originRegion) {
        this.locator = new ClientLocator(dns.regions(), dns.defaultRegion(), null);
        this.latencyMs = dns.latencyMs();
        this.edgeRegion = known("wan.edgeRegion", blank(edgeRegion) ? dns.defaultRegion() : edgeRegion.strip());
        this.originRegion = blank(originRegion) ? this.edgeRegion : known("wan.originRegion", originRegion.strip());
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private String known(String setting, String region) {
        if (latencyMs.values().stream().anyMatch(row -> row.containsKey(region))) return region;
        TreeSet<String> regions = new TreeSet<>();
        latencyMs.values().forEach(row -> regions.addAll(row.keySet()));
        throw new IllegalArgumentException(setting + " '" + region + "' has no round trips in dns.latencyMs; use one of "
                + regions + " or add a column for it");
    }

    String edgeRegion() {
        return edgeRegion;
    }

    String originRegion() {
        return originRegion;
    }

    /** Whether the origin stands in another region than the edge, so a link must join them. */
    boolean originFar() {
        return !originRegion.equals(edgeRegion);
    }

    /** The round trip from {@code client}'s region to the edge's, in ms (0 when the table has no entry). */
    int roundTripMs(InetAddress client) {
        String region = locator.locate(client, client instanceof Inet4Address ? 32 : 128).region();
        return between(region, edgeRegion);
    }

    /** The round trip between the edge's region and the origin's, in ms. */
    int originRoundTripMs() {
        return between(edgeRegion, originRegion);
    }

    /** The link from the edge to the origin: every connection is the edge's, so one delay for all. */
    WanRelay.Delay originLink() {
        long oneWay = TimeUnit.MILLISECONDS.toNanos(originRoundTripMs()) / 2;
        return client -> oneWay;
    }

    private int between(String from, String to) {
        Integer ms = latencyMs.getOrDefault(from, Map.of()).get(to);
        return ms == null ? 0 : ms;
    }

    @Override
    public long oneWayNanos(InetAddress client) {
        return TimeUnit.MILLISECONDS.toNanos(roundTripMs(client)) / 2;
    }
}
