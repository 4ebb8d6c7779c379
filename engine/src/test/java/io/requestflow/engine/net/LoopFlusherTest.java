package io.requestflow.engine.net;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Writes made during one turn of a loop go out together after it; elsewhere a flush is immediate. */
class LoopFlusherTest {
    private static EventLoopGroup group;
    private static ServerSocket server;

    @BeforeAll
    static void start() throws Exception {
        group = Transport.newGroup("flusher-test", 2);
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        server.setSoTimeout(5000);
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    /** A connection from the loop group to our server: the Netty side and the accepted socket. */
    private record Pair(Channel channel, Socket peer) {}

    private static Pair connect(io.netty.channel.EventLoop loop) throws Exception {
        Channel channel = new Bootstrap().group(loop).channel(Transport.clientChannel())
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                    }
                })
                .connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()))
                .syncUninterruptibly().channel();
        Socket peer = server.accept();
        peer.setSoTimeout(5000);
        return new Pair(channel, peer);
    }

    private static String read(Socket peer, int bytes) throws Exception {
        InputStream in = peer.getInputStream();
        return new String(in.readNBytes(bytes), StandardCharsets.US_ASCII);
    }

    /** Written but still in Netty's outbound buffer, not yet handed to the socket. */
    private static boolean unsent(Channel channel) {
        return channel.unsafe().outboundBuffer().totalPendingWriteBytes() > 0;
    }

    @Test
    void writesOfOneTurnAreSentTogetherWhenItEnds() throws Exception {
        io.netty.channel.EventLoop loop = group.next();
        Pair a = connect(loop);
        Pair b = connect(loop);
        try {
            // inside the turn nothing is sent yet; a connection written twice is flushed once, in order
            List<Boolean> unsentInTurn = loop.submit(() -> {
                a.channel().write(Unpooled.copiedBuffer("one,", StandardCharsets.US_ASCII));
                LoopFlusher.flushSoon(a.channel());
                b.channel().write(Unpooled.copiedBuffer("other", StandardCharsets.US_ASCII));
                LoopFlusher.flushSoon(b.channel());
                a.channel().write(Unpooled.copiedBuffer("two", StandardCharsets.US_ASCII));
                LoopFlusher.flushSoon(a.channel());
                return List.of(unsent(a.channel()), unsent(b.channel()));
            }).get(5, TimeUnit.SECONDS);
            assertEquals(List.of(true, true), unsentInTurn);
            assertEquals("one,two", read(a.peer(), 7));
            assertEquals("other", read(b.peer(), 5));
        } finally {
            a.channel().close();
            b.channel().close();
            a.peer().close();
            b.peer().close();
        }
    }

    @Test
    void aChannelOfAnotherLoopIsFlushedAtOnce() throws Exception {
        io.netty.channel.EventLoop first = group.next();
        io.netty.channel.EventLoop second = group.next();
        Pair other = connect(second);
        try {
            first.submit(() -> {
                other.channel().write(Unpooled.copiedBuffer("now", StandardCharsets.US_ASCII));
                LoopFlusher.flushSoon(other.channel());
            }).get(5, TimeUnit.SECONDS);
            assertEquals("now", read(other.peer(), 3));
            // and from a thread that is no loop at all
            other.channel().write(Unpooled.copiedBuffer("off", StandardCharsets.US_ASCII));
            LoopFlusher.flushSoon(other.channel());
            assertEquals("off", read(other.peer(), 3));
        } finally {
            other.channel().close();
            other.peer().close();
        }
    }
}
