package io.requestflow.engine.hop;

import io.netty.channel.EventLoopGroup;
import io.requestflow.engine.net.Transport;
import io.requestflow.engine.trace.RecentSpans;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * What all hops in one process share: the Netty event loops, a virtual-thread executor for blocking
 * service code, and the recent-spans store. {@code up} runs every hop on one engine; {@code serve}
 * runs one hop on its own.
 */
public final class Engine implements AutoCloseable {
    private final EventLoopGroup group;
    private final int eventLoopThreads;
    /** The loops of UDP servers when they are not {@link #group}; made on first use. */
    private EventLoopGroup datagramGroup;
    private final ExecutorService blocking = Executors.newVirtualThreadPerTaskExecutor();
    private final RecentSpans spans;
    private final double sampleRatio;

    public Engine(int eventLoopThreads, int recentSpans) {
        this(eventLoopThreads, recentSpans, 1.0);
    }

    /** {@code sampleRatio}: {@code tracing.sampleRatio}, the share of untraced requests whose spans are kept. */
    public Engine(int eventLoopThreads, int recentSpans, double sampleRatio) {
        io.requestflow.engine.trace.Tracing.sampler(sampleRatio); // rejects a bad ratio before threads start
        this.group = Transport.newGroup("requestflow-io", eventLoopThreads);
        this.eventLoopThreads = eventLoopThreads;
        this.spans = new RecentSpans(recentSpans);
        this.sampleRatio = sampleRatio;
    }

    public static Engine create() {
        return new Engine(0, 10_000);
    }

    public EventLoopGroup group() {
        return group;
    }

    /**
     * The loops a UDP server (the dns hop) reads on: {@link #group} unless it is io_uring, then epoll loops of
     * their own, as many, closed with the engine. With io_uring the dns hop answered about 0.9x the queries of
     * epoll, which reads up to 16 datagrams per recvmmsg call (docs/benchmarks.md, balancer round 13).
     */
    public synchronized EventLoopGroup datagramGroup() {
        if (Transport.kind() != Transport.Kind.IO_URING || !io.netty.channel.epoll.Epoll.isAvailable()) {
            return group;
        }
        if (datagramGroup == null) {
            datagramGroup = Transport.newGroup("requestflow-udp", eventLoopThreads, Transport.Kind.EPOLL);
        }
        return datagramGroup;
    }

    /** Where blocking work (JDBC, Redis, password hashing) runs: one virtual thread per task. */
    public ExecutorService blocking() {
        return blocking;
    }

    public RecentSpans spans() {
        return spans;
    }

    public double sampleRatio() {
        return sampleRatio;
    }

    /** A context for one hop instance, named for metrics, traces and logs. */
    public HopContext hop(String hop, String instance) {
        return new HopContext(this, hop, instance);
    }

    @Override
    public void close() {
        blocking.shutdown();
        try {
            blocking.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        EventLoopGroup udp;
        synchronized (this) {
            udp = datagramGroup;
        }
        if (udp != null) udp.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        if (udp != null) udp.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
