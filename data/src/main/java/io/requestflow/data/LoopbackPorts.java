package io.requestflow.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;

/** Port checks for servers that listen on 127.0.0.1 only. */
final class LoopbackPorts {

    static final String HOST = "127.0.0.1";

    private LoopbackPorts() {
    }

    /**
     * The port to start on: a free one for 0, otherwise the configured one after checking it is free.
     * Checking first turns a server's buried bind failure into an error that names the config key.
     */
    static int resolve(int configured, String server, String configKey) {
        if (configured == 0) {
            return pickFree();
        }
        if (!isFree(configured)) {
            throw new PortInUseException(server, configured, configKey);
        }
        return configured;
    }

    static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            // Same reuse setting as PostgreSQL and Redis, so TIME_WAIT leftovers do not count as "in use".
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(loopback(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * A free port, never one this process handed out in the last minute: servers that start side by side
     * (PostgreSQL, the replica, Redis, Kafka) each pick a port and bind it seconds later, and the kernel
     * may offer the same free port to the next picker meanwhile. Ports come from below the kernel's
     * ephemeral range when it can be read: a port in that range can become the local port of any outgoing
     * connection on the machine while its server is down (a restart drill), and then the server cannot
     * come back where its clients look for it.
     */
    static int pickFree() {
        int[] ephemeral = ephemeralRange();
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        if (ephemeral[0] > BELOW_EPHEMERAL_FROM + 1_000) {
            for (int i = 0; i < 200; i++) {
                int port = random.nextInt(BELOW_EPHEMERAL_FROM, ephemeral[0]);
                if (isFree(port) && reserve(port)) return port;
            }
        }
        for (int i = 0; i < 100; i++) {
            int port;
            try (ServerSocket socket = new ServerSocket()) {
                socket.bind(new InetSocketAddress(loopback(), 0));
                port = socket.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException("no free port on " + HOST, e);
            }
            if (reserve(port)) return port;
        }
        throw new IllegalStateException("no free port on " + HOST + " that was not just handed out");
    }

    /** Picked ports start here: above the well-known and commonly configured ones. */
    private static final int BELOW_EPHEMERAL_FROM = 20_000;

    /** The kernel's range for outgoing connections' local ports (Linux), or {0, 0} when unknown. */
    static int[] ephemeralRange() {
        // read as a stream: /proc files report a size that Files.readString trusts and cuts short
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(java.nio.file.Path.of("/proc/sys/net/ipv4/ip_local_port_range"))) {
            String[] range = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).trim().split("\\s+");
            return new int[] {Integer.parseInt(range[0]), Integer.parseInt(range[1])};
        } catch (IOException | RuntimeException unknown) {
            return new int[] {0, 0};
        }
    }

    /** Marks {@code port} as handed out; false when it already was, within the last minute. */
    static boolean reserve(int port) {
        long now = System.nanoTime();
        synchronized (RECENT) {
            RECENT.values().removeIf(at -> now - at > RESERVED_NANOS);
            return RECENT.putIfAbsent(port, now) == null;
        }
    }

    private static final long RESERVED_NANOS = java.util.concurrent.TimeUnit.MINUTES.toNanos(1);
    private static final java.util.Map<Integer, Long> RECENT = new java.util.HashMap<>();

    private static InetAddress loopback() {
        try {
            return InetAddress.getByName(HOST);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // a literal address never needs resolving
        }
    }
}
