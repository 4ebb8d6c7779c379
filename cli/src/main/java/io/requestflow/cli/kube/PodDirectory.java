package io.requestflow.cli.kube;

import io.requestflow.console.PathDirectory;
import io.requestflow.engine.net.HostPort;
import io.requestflow.topology.Topology;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The path on a cluster, for the console running as a pod ({@code console.podDomain} set): each role's
 * instances are the addresses of its headless Service {@code <role>-admin} (ready or not: the console shows
 * a pod that is starting or failing its probe), each at the role's admin port. Names are looked up
 * together, each bounded by the console's admin timeout; a role whose name does not resolve in time
 * shows as one instance that is down.
 */
public final class PodDirectory implements PathDirectory, AutoCloseable {
    private final Topology topology;
    private final String domain;
    private final long timeoutMs;
    /** Lookups block in the JDK resolver; a few threads and a short queue bound what a DNS outage can hold. */
    private final ThreadPoolExecutor lookups = new ThreadPoolExecutor(4, 4, 30, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(64), Thread.ofPlatform().daemon().name("console-pod-lookup-", 0).factory());

    public PodDirectory(Topology topology, String domain, long timeoutMs) {
        this.topology = topology;
        this.domain = domain;
        this.timeoutMs = timeoutMs;
    }

    /** The headless Service listing a role's pods, as {@link Manifests} names it. */
    public static String adminService(String role) {
        return role + "-admin";
    }

    @Override
    public List<Instance> instances() {
        Map<String, Integer> ports = Manifests.adminPorts(topology);
        Map<String, Future<InetAddress[]>> pending = new LinkedHashMap<>();
        for (String role : ports.keySet()) pending.put(role, lookup(role));
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        List<Instance> all = new ArrayList<>();
        for (Map.Entry<String, Future<InetAddress[]>> e : pending.entrySet()) {
            String role = e.getKey();
            int port = ports.get(role);
            boolean breakable = !role.equals("queue");
            InetAddress[] pods = resolved(e.getValue(), deadline);
            if (pods.length == 0) {
                all.add(new Instance(role, role, new HostPort(host(role), port), breakable));
                continue;
            }
            for (InetAddress pod : pods) {
                String ip = pod.getHostAddress();
                all.add(new Instance(role + "@" + ip, role, new HostPort(ip, port), breakable));
            }
        }
        return all;
    }

    /** The role's pods (or a name's addresses), being looked up; null when earlier lookups still hang (DNS is not answering). */
    private Future<InetAddress[]> lookup(String role) {
        return lookupName(host(role));
    }

    private Future<InetAddress[]> lookupName(String name) {
        try {
            return lookups.submit(() -> InetAddress.getAllByName(name));
        } catch (java.util.concurrent.RejectedExecutionException busy) {
            return null;
        }
    }

    private static InetAddress[] resolved(Future<InetAddress[]> lookup, long deadline) {
        if (lookup == null) return new InetAddress[0];
        try {
            InetAddress[] found = lookup.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            java.util.Arrays.sort(found, java.util.Comparator.comparing(InetAddress::getHostAddress));
            return found;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return new InetAddress[0];
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new InetAddress[0];
        }
    }

    /** Nothing is embedded on a cluster: the stores are the operator's. */
    @Override
    public HostPort dataAdmin() {
        return null;
    }

    @Override
    public HostPort balancerAdmin() {
        int port = Manifests.adminPorts(topology).get("balancer");
        InetAddress[] pods = resolved(lookup("balancer"), System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs));
        return new HostPort(pods.length > 0 ? pods[0].getHostAddress() : host("balancer"), port);
    }

    @Override
    public String edgeAuthority() {
        return topology.edge.hosts.getFirst() + ":" + topology.edge.port;
    }

    @Override
    public InetSocketAddress dns() {
        String name = "dns." + domain;
        InetAddress[] found = resolved(lookupName(name), System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs));
        return found.length > 0 ? new InetSocketAddress(found[0], topology.dns.port())
                : InetSocketAddress.createUnresolved(name, topology.dns.port());
    }

    private String host(String role) {
        return adminService(role) + "." + domain;
    }

    @Override
    public void close() {
        lookups.shutdownNow();
    }
}
