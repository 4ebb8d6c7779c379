package io.requestflow.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.xbill.DNS.Message;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** Starting, failing to start, sharing event loops, and stopping. */
@Timeout(15)
class DnsServerLifecycleTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @Test
    void portZeroBindsUdpAndTcpOnTheSamePort() throws IOException {
        try (DnsServer server = DnsServer.start(Queries.config(), new SimpleMeterRegistry())) {
            assertThat(server.address().getPort()).isPositive();
            assertThat(server.address().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
            assertResolves(server, DnsTransport.UDP);
            assertResolves(server, DnsTransport.TCP);
        }
    }

    @Test
    void takenUdpPortFailsWithAClearMessage() throws IOException {
        try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            int port = taken.getLocalPort();

            assertThatThrownBy(() -> DnsServer.start(Queries.config().withPort(port), new SimpleMeterRegistry()))
                    .isInstanceOf(DnsBindException.class)
                    .hasMessage("dns: cannot listen on 127.0.0.1:" + port + "/udp (address already in use)"
                            + " — is another Requestflow running? change dns.port in config/topology.yaml");
        }
    }

    @Test
    void takenTcpPortFailsAndReleasesTheUdpSide() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, LOOPBACK)) {
            int port = taken.getLocalPort();

            assertThatThrownBy(() -> DnsServer.start(Queries.config().withPort(port), new SimpleMeterRegistry()))
                    .isInstanceOf(DnsBindException.class)
                    .hasMessageContaining("127.0.0.1:" + port + "/tcp (address already in use)")
                    .hasMessageContaining("dns.port");
            try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(LOOPBACK, port))) {
                assertThat(udp.getLocalPort()).as("the UDP socket was given back").isEqualTo(port);
            }
        }
    }

    @Test
    void closeReleasesThePortAndIsIdempotent() throws IOException {
        DnsServer first = DnsServer.start(Queries.config(), new SimpleMeterRegistry());
        int port = first.address().getPort();
        first.close();
        first.close();

        try (DnsServer second = DnsServer.start(Queries.config().withPort(port), new SimpleMeterRegistry())) {
            assertThat(second.address().getPort()).isEqualTo(port);
            assertResolves(second, DnsTransport.TCP);
        }
    }

    @Test
    void sharedNioGroupOutlivesTheServer() throws IOException {
        sharedGroupOutlivesTheServer(NioIoHandler.newFactory());
    }

    @Test
    void sharedEpollGroupWorksToo() throws IOException {
        assumeTrue(Epoll.isAvailable(), "native epoll not available here");
        sharedGroupOutlivesTheServer(EpollIoHandler.newFactory());
    }

    private static void sharedGroupOutlivesTheServer(IoHandlerFactory io) throws IOException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, io);
        try {
            try (DnsServer server = DnsServer.start(Queries.config(), new SimpleMeterRegistry(), group)) {
                assertResolves(server, DnsTransport.UDP);
                assertResolves(server, DnsTransport.TCP);
            }
            assertThat(group.isShuttingDown()).isFalse();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
        }
    }

    private static void assertResolves(DnsServer server, DnsTransport transport) throws IOException {
        Message response = DnsServerTest.resolver(server.address(), transport)
                .send(Queries.message("shop.requestflow.test.", Type.A));
        assertThat(response.getSection(Section.ANSWER)).hasSize(1);
    }
}
