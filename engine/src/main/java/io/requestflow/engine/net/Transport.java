package io.requestflow.engine.net;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/**
 * The one socket transport every hop of a process uses, chosen once by the system property
 * {@value #PROPERTY}: {@code auto} (the default) takes Linux io_uring when the kernel allows it, else epoll,
 * else Java's NIO; {@code io_uring}, {@code epoll} or {@code nio} ask for one (falling back the same way
 * when it cannot load). io_uring is the default because a proxy hop spends most of its time in system calls,
 * and io_uring submits a loop turn's reads and writes in one (balancer round 13 in docs/benchmarks.md).
 * Container runtimes often forbid io_uring (their default seccomp profiles); epoll is then picked.
 */
public final class Transport {
    public static final String PROPERTY = "requestflow.transport";

    /** The transports, best first. */
    public enum Kind { IO_URING, EPOLL, NIO }

    private static final Kind KIND = pick(System.getProperty(PROPERTY, "auto"));

    private Transport() {}

    static Kind pick(String wanted) {
        String w = wanted.trim().toLowerCase(Locale.ROOT);
        if (!w.equals("auto") && !w.equals("io_uring") && !w.equals("epoll") && !w.equals("nio")) {
            throw new IllegalArgumentException("-D" + PROPERTY + "=" + wanted
                    + ": expected auto, io_uring, epoll or nio");
        }
        Kind kind = Kind.NIO;
        if ((w.equals("auto") || w.equals("io_uring")) && IoUring.isAvailable()) {
            kind = Kind.IO_URING;
        } else if (!w.equals("nio") && Epoll.isAvailable()) {
            kind = Kind.EPOLL;
        }
        if (!w.equals("auto") && !w.equals(kind.name().toLowerCase(Locale.ROOT))) {
            LoggerFactory.getLogger(Transport.class).warn("transport {} is not available here ({}); using {}", w,
                    w.equals("io_uring") ? IoUring.unavailabilityCause() : Epoll.unavailabilityCause(),
                    kind.name().toLowerCase(Locale.ROOT));
        }
        return kind;
    }

    /** The transport this process uses. */
    public static Kind kind() {
        return KIND;
    }

    /** Its name as {@value #PROPERTY} spells it, for start-up lines. */
    public static String describe() {
        return KIND.name().toLowerCase(Locale.ROOT);
    }

    /** An event loop group; {@code threads <= 0} means one per core. */
    public static EventLoopGroup newGroup(String name, int threads) {
        return newGroup(name, threads, KIND);
    }

    /** An event loop group of the given transport (which must be available), whatever this process uses. */
    public static EventLoopGroup newGroup(String name, int threads, Kind kind) {
        IoHandlerFactory io = switch (kind) {
            case IO_URING -> IoUringIoHandler.newFactory();
            case EPOLL -> EpollIoHandler.newFactory();
            case NIO -> NioIoHandler.newFactory();
        };
        int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        return new MultiThreadIoEventLoopGroup(n, new DefaultThreadFactory(name, true), io);
    }

    public static Class<? extends ServerSocketChannel> serverChannel() {
        return switch (KIND) {
            case IO_URING -> IoUringServerSocketChannel.class;
            case EPOLL -> EpollServerSocketChannel.class;
            case NIO -> NioServerSocketChannel.class;
        };
    }

    public static Class<? extends SocketChannel> clientChannel() {
        return switch (KIND) {
            case IO_URING -> IoUringSocketChannel.class;
            case EPOLL -> EpollSocketChannel.class;
            case NIO -> NioSocketChannel.class;
        };
    }

    public static Class<? extends DatagramChannel> datagramChannel() {
        return switch (KIND) {
            case IO_URING -> IoUringDatagramChannel.class;
            case EPOLL -> EpollDatagramChannel.class;
            case NIO -> NioDatagramChannel.class;
        };
    }
}
