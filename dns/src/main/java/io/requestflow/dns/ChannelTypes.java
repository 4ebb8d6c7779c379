package io.requestflow.dns;

import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;

/**
 * The channel classes that can register with a given event loop group: a channel only runs on the I/O handler
 * it was written for, and a shared group may be io_uring, epoll or NIO depending on who made it.
 *
 * @param maxDatagramPayload io_uring's or epoll's option that lets one read take several datagrams; null with NIO
 */
record ChannelTypes(Class<? extends DatagramChannel> datagram, Class<? extends ServerSocketChannel> server,
                    ChannelOption<Integer> maxDatagramPayload) {

    /** io_uring or epoll: several UDP sockets can share a port (SO_REUSEPORT), reads can take several datagrams. */
    boolean nativeLinux() {
        return maxDatagramPayload != null;
    }

    static ChannelTypes forGroup(EventLoopGroup group) {
        if (group instanceof IoEventLoopGroup io && io.isIoType(IoUringIoHandler.class)) {
            return new ChannelTypes(IoUringDatagramChannel.class, IoUringServerSocketChannel.class,
                    IoUringChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE);
        }
        if (group instanceof IoEventLoopGroup io && io.isIoType(EpollIoHandler.class)) {
            return new ChannelTypes(EpollDatagramChannel.class, EpollServerSocketChannel.class,
                    EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE);
        }
        return new ChannelTypes(NioDatagramChannel.class, NioServerSocketChannel.class, null);
    }
}
