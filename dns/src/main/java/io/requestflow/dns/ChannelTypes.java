package io.requestflow.dns;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;

/**
 * The channel classes that can register with a given event loop group: a channel only runs on the I/O handler
 * it was written for, and a shared group may be epoll or NIO depending on who made it.
 */
record ChannelTypes(Class<? extends DatagramChannel> datagram, Class<? extends ServerSocketChannel> server) {

    static ChannelTypes forGroup(EventLoopGroup group) {
        if (group instanceof IoEventLoopGroup io && io.isIoType(EpollIoHandler.class)) {
            return new ChannelTypes(EpollDatagramChannel.class, EpollServerSocketChannel.class);
        }
        return new ChannelTypes(NioDatagramChannel.class, NioServerSocketChannel.class);
    }
}
