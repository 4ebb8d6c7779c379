package io.requestflow.topology;

import io.netty.channel.EventLoopGroup;
import io.requestflow.engine.net.HostPort;
import io.requestflow.engine.net.wan.WanRelay;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The WAN links {@code up} starts when {@code wan.enabled} ({@link Topology.Wan}): a client link on every
 * edge's ports and an origin link from each edge that stands away from the origin. Holds the relays, closes
 * them together, and names each for the table {@code up} prints.
 */
final class WanLinks implements AutoCloseable {
    private final EventLoopGroup group;
    private final Topology.Wan settings;
    private final List<WanRelay> relays = new ArrayList<>();
    private final List<Stack.Endpoint> endpoints = new ArrayList<>();
    private WanRelay frontDoor;
    private WanRelay frontDoorTls;

    WanLinks(EventLoopGroup group, Topology.Wan settings) {
        this.group = group;
        this.settings = settings;
    }

    /** Where an edge at {@code delays}'s region reaches the firewall: through an origin link when far from it. */
    HostPort origin(WanDelays delays, InetSocketAddress firewall, String bind) {
        if (!delays.originFar()) return HostPort.of(firewall);
        WanRelay link = start(new HostPort(bind, 0), firewall, delays.originLink());
        endpoints.add(new Stack.Endpoint("wan", "origin link", HostPort.of(link.address()) + " -> firewall in "
                + delays.originRegion() + ", " + delays.originRoundTripMs() + " ms from the edge in "
                + delays.edgeRegion(), "-"));
        return HostPort.of(link.address());
    }

    /** The first edge's client links, on the front door's own ports ({@code edge.port}, {@code edge.tlsPort}). */
    void frontDoor(WanDelays delays, HostPort http, HostPort https, InetSocketAddress edge, InetSocketAddress edgeTls) {
        frontDoor = start(http, edge, delays);
        endpoints.add(new Stack.Endpoint("wan", "edge link", HostPort.of(frontDoor.address()) + " -> edge in "
                + delays.edgeRegion(), "-"));
        if (edgeTls != null && https != null) {
            frontDoorTls = start(https, edgeTls, delays);
            endpoints.add(new Stack.Endpoint("wan", "edge link https", HostPort.of(frontDoorTls.address())
                    + " -> edge in " + delays.edgeRegion(), "-"));
        }
    }

    /** A regional edge's client links: the front door's ports at its own address {@code ip}. */
    void regional(String name, InetAddress ip, WanDelays delays, InetSocketAddress edge, InetSocketAddress edgeTls) {
        WanRelay http = start(new HostPort(ip.getHostAddress(), frontDoor.address().getPort()), edge, delays);
        endpoints.add(new Stack.Endpoint("wan", name + " link", HostPort.of(http.address()) + " -> " + name, "-"));
        if (edgeTls != null && frontDoorTls != null) {
            WanRelay https = start(new HostPort(ip.getHostAddress(), frontDoorTls.address().getPort()), edgeTls, delays);
            endpoints.add(new Stack.Endpoint("wan", name + " link https", HostPort.of(https.address()) + " -> " + name,
                    "-"));
        }
    }

    private WanRelay start(HostPort listen, InetSocketAddress target, WanRelay.Delay delay) {
        WanRelay relay = WanRelay.start(group, listen, target, delay, settings.settings());
        relays.add(relay);
        return relay;
    }

    /** Where clients reach the first edge over HTTP. */
    InetSocketAddress frontDoor() {
        return frontDoor.address();
    }

    /** Where clients reach the first edge over HTTPS, or null. */
    InetSocketAddress frontDoorTls() {
        return frontDoorTls == null ? null : frontDoorTls.address();
    }

    List<Stack.Endpoint> endpoints() {
        return endpoints;
    }

    @Override
    public void close() {
        for (int i = relays.size() - 1; i >= 0; i--) relays.get(i).close();
    }
}
