package io.requestflow.cli;

import io.requestflow.engine.net.HostPort;
import io.requestflow.topology.Topology;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where each breakable hop instance of a topology keeps its admin port, by instance name as {@code ./flow up}
 * names them (dns-1, edge-1 … page-1, gateway-N); the role alone means its first instance.
 */
final class HopAdmins {
    private HopAdmins() {}

    /** Every instance the topology starts, in path order. */
    static Map<String, HostPort> of(Topology t) {
        Map<String, HostPort> all = new LinkedHashMap<>();
        all.put("dns-1", new HostPort(t.bind, t.dnsAdminPort));
        all.put("edge-1", at(t, t.edge));
        all.put("firewall-1", at(t, t.firewall));
        all.put("balancer-1", at(t, t.balancer));
        for (int i = 1; i <= t.gateway.instances; i++) all.put("gateway-" + i, gateway(t, i));
        Topology.Services s = t.services;
        all.put("auth-1", at(t, s.auth));
        all.put("catalog-1", at(t, s.catalog));
        all.put("inventory-1", at(t, s.inventory));
        all.put("reviews-1", at(t, s.reviews));
        all.put("recommendations-1", at(t, s.recommendations));
        all.put("orders-1", at(t, s.orders));
        all.put("page-1", at(t, s.page));
        return all;
    }

    /** The admin address of {@code name} ({@code gateway-7} too: scaled gateways take the next ports). */
    static HostPort find(Topology t, String name) {
        String instance = name.matches(".*-\\d+") ? name : name + "-1";
        HostPort known = of(t).get(instance);
        if (known != null) return known;
        if (instance.startsWith("gateway-")) {
            int n = Integer.parseInt(instance.substring("gateway-".length()));
            if (n >= 1 && n <= 64) return gateway(t, n);
        }
        throw new IllegalArgumentException("no hop instance named '" + name + "'; known: "
                + String.join(", ", of(t).keySet()) + ", and the data stores "
                + String.join(", ", io.requestflow.topology.DataFaults.STORES));
    }

    /** The data stores `./flow up` embeds, broken through {@code /data} on the balancer's admin port. */
    static boolean isDataStore(String name) {
        return io.requestflow.topology.DataFaults.STORES.contains(name);
    }

    /** Where `./flow up` serves {@code /data} (and {@code /scale}): the balancer's admin port. */
    static HostPort upProcess(Topology t) {
        return at(t, t.balancer);
    }

    private static HostPort gateway(Topology t, int n) {
        return new HostPort(t.bind, t.gateway.adminPortOrDefault() + n - 1);
    }

    private static HostPort at(Topology t, Topology.Listener listener) {
        return new HostPort(t.bind, listener.adminPortOrDefault());
    }

    /** The topology's instances plus gateways started by `./flow scale`, for as long as the next one answers. */
    static Map<String, HostPort> withScaledGateways(Topology t) {
        Map<String, HostPort> all = new LinkedHashMap<>(HopAdmins.of(t));
        for (int n = t.gateway.instances + 1; n <= 64; n++) {
            HostPort admin = HopAdmins.find(t, "gateway-" + n);
            if (!answers(admin)) break;
            all.put("gateway-" + n, admin);
        }
        return all;
    }

    /** The instances whose admin port answers. */
    static Map<String, HostPort> running(Topology t) {
        Map<String, HostPort> up = new LinkedHashMap<>();
        withScaledGateways(t).forEach((name, admin) -> {
            if (answers(admin)) up.put(name, admin);
        });
        return up;
    }

    private static boolean answers(HostPort admin) {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress(admin.host(), admin.port()), 500);
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
