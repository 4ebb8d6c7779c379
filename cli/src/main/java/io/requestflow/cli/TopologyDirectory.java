package io.requestflow.cli;

import io.requestflow.console.PathDirectory;
import io.requestflow.engine.net.HostPort;
import io.requestflow.topology.Topology;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The path as the topology file places it, for a console in its own process ({@code serve --role console}):
 * every instance at its configured admin port (gateways scaled beyond the file's count too, while they
 * answer), the way the operator commands find them.
 */
final class TopologyDirectory implements PathDirectory {
    private final Topology topology;

    TopologyDirectory(Topology topology) {
        this.topology = topology;
    }

    @Override
    public List<Instance> instances() {
        List<Instance> all = new ArrayList<>();
        for (Map.Entry<String, HostPort> e : HopAdmins.withScaledGateways(topology).entrySet()) {
            String name = e.getKey();
            all.add(new Instance(name, name.substring(0, name.lastIndexOf('-')), e.getValue(), true));
        }
        if (topology.queue.enabled) {
            all.add(new Instance("queue-1", "queue", new HostPort(topology.bind, topology.queue.adminPort), false));
        }
        return all;
    }

    /** `up` serves /data beside the balancer; separate processes have none, and the console shows no stores. */
    @Override
    public HostPort dataAdmin() {
        return HopAdmins.upProcess(topology);
    }

    @Override
    public HostPort balancerAdmin() {
        return new HostPort(topology.bind, topology.balancer.adminPortOrDefault());
    }

    @Override
    public String edgeAuthority() {
        return topology.edge.hosts.getFirst() + ":" + topology.edge.port;
    }

    @Override
    public InetSocketAddress dns() {
        return new InetSocketAddress(topology.dns.host(), topology.dns.port());
    }
}
