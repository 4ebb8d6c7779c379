package io.requestflow.console;

import io.requestflow.engine.net.HostPort;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * Where the running path can be reached, as the console needs it: every instance's admin port, the
 * edge the console's requests enter by, and the DNS server that resolves the shop's name. The console
 * only ever talks to these over sockets, like any operator would.
 */
public interface PathDirectory {

    /** One running instance: its name ({@code gateway-2}), its role ({@code gateway}) and admin port. */
    record Instance(String name, String role, HostPort admin, boolean breakable) {}

    /** Every running instance, in path order (dns, edge … services, queue). */
    List<Instance> instances();

    /** Where {@code /data} (the stores {@code up} embeds) is served, or null when nothing is embedded. */
    HostPort dataAdmin();

    /** The balancer's admin port ({@code /targets}). */
    HostPort balancerAdmin();

    /** The host name and port requests enter by (the edge's plain HTTP listener). */
    String edgeAuthority();

    /** The DNS server that resolves {@link #edgeAuthority()}'s host. */
    InetSocketAddress dns();
}
