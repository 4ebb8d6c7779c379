package io.requestflow.engine.net.wan;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.requestflow.engine.net.HostPort;
import io.requestflow.engine.net.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A TCP relay that stands for a wide-area link, since this kernel has no {@code netem}: every byte, and
 * the close, crosses it one-way delay later in each direction, the delay chosen per connection from the
 * client's address (for example half the round trip between the client's region and the target's). The
 * first bytes a client sends are held one round trip more, for the TCP handshake a real client would
 * have waited for: a new connection's first answer costs two round trips, a reused one's one. The
 * client's own "connect" therefore looks instant, and its wait for the first byte carries the handshake.
 *
 * <p>A loopback client's address is kept: the relay connects to the target from that same address, so
 * the target (and whatever reads the peer address after it) sees the real client, not the relay.
 */
public final class WanRelay implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WanRelay.class);

    /**
     * @param connectTimeoutMs the relay's connect to the target; the client's connection is closed after it
     * @param maxBufferedBytes bytes in flight per direction of one connection before the sender is paused
     */
    public record Settings(long connectTimeoutMs, int maxBufferedBytes) {
        public Settings {
            if (connectTimeoutMs <= 0) throw new IllegalArgumentException("connectTimeoutMs must be positive");
            if (maxBufferedBytes <= 0) throw new IllegalArgumentException("maxBufferedBytes must be positive");
        }
    }

    /** The one-way delay, in nanoseconds, for a connection from {@code client}. */
    @FunctionalInterface
    public interface Delay {
        long oneWayNanos(InetAddress client);
    }

    private final Channel server;
    private final InetSocketAddress target;
    /** Both ends of every open connection, closed with the relay. */
    private final ChannelGroup open;

    private WanRelay(Channel server, InetSocketAddress target, ChannelGroup open) {
        this.server = server;
        this.target = target;
        this.open = open;
    }

    /** Listens on {@code listen} and relays every connection to {@code target} through {@code delay}. */
    public static WanRelay start(EventLoopGroup group, HostPort listen, InetSocketAddress target, Delay delay,
                                 Settings settings) {
        ChannelGroup open = new DefaultChannelGroup("wan-relay", GlobalEventExecutor.INSTANCE);
        ChannelFuture bound = new ServerBootstrap().group(group).channel(Transport.serverChannel())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.AUTO_READ, false) // nothing is read before the far side is connected
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel client) {
                        open.add(client);
                        connect(client, target, delay, settings, open);
                    }
                })
                .bind(listen.toSocketAddress()).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            throw new IllegalStateException("the WAN relay cannot listen on " + listen + ": "
                    + bound.cause().getMessage() + " (is another process using that port?)", bound.cause());
        }
        WanRelay relay = new WanRelay(bound.channel(), target, open);
        LOG.info("WAN relay {} -> {}", HostPort.of(relay.address()), HostPort.of(target));
        return relay;
    }

    private static void connect(Channel client, InetSocketAddress target, Delay delay, Settings settings,
                                ChannelGroup open) {
        UntilConnected hold = new UntilConnected();
        client.pipeline().addLast(hold);
        InetSocketAddress peer = (InetSocketAddress) client.remoteAddress();
        long oneWay = Math.max(0, delay.oneWayNanos(peer.getAddress()));
        Bootstrap b = new Bootstrap().group(client.eventLoop()).channel(Transport.clientChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, settings.connectTimeoutMs()))
                .handler(new ChannelInboundHandlerAdapter());
        // from the client's own address when it is a local one, so the target sees who really called
        InetSocketAddress local = peer.getAddress().isLoopbackAddress() ? new InetSocketAddress(peer.getAddress(), 0) : null;
        ChannelFuture connecting = local != null ? b.connect(target, local) : b.connect(target);
        connecting.addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                LOG.debug("WAN relay: {} -> {} failed: {}", peer, target, f.cause().toString());
                hold.discard();
                client.close();
                return;
            }
            Channel far = f.channel();
            open.add(far);
            DelayedPipe up = new DelayedPipe(client, far, oneWay, 2 * oneWay, settings.maxBufferedBytes());
            DelayedPipe down = new DelayedPipe(far, client, oneWay, 0, settings.maxBufferedBytes());
            DelayedPipe.pair(up, down);
            far.pipeline().addLast(down);
            // what arrived while connecting (a client may send and leave at once) goes first, in order, handed to
            // the pipe itself: a client that has left may be deregistered already, its pipeline emptied (with
            // io_uring a close completes that soon), and then its pipeline is not touched
            for (Object msg : hold.held) up.carry(msg);
            if (hold.ended) {
                up.sourceClosed();
                return;
            }
            client.pipeline().replace(hold, "wan-up", up);
            client.config().setAutoRead(true);
            far.config().setAutoRead(true);
        });
    }

    /**
     * Sits in the client's pipeline while the relay connects: nothing is read then, except when the client
     * closes (the transport reads what was left first); that and the close are kept for the link.
     */
    private static final class UntilConnected extends ChannelInboundHandlerAdapter {
        final List<Object> held = new ArrayList<>();
        boolean ended;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            held.add(msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            ended = true;
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }

        void discard() {
            held.forEach(ReferenceCountUtil::release);
            held.clear();
        }
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    public InetSocketAddress target() {
        return target;
    }

    @Override
    public void close() {
        server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        open.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    }
}
