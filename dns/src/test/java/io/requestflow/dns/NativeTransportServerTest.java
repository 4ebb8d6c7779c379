package io.requestflow.dns;

import static io.requestflow.dns.GeoZone.ask;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * The production set-ups (what {@code ./flow up} runs, io_uring where the kernel allows it, else epoll): a native
 * group, one SO_REUSEPORT UDP socket per event loop (with epoll, recvmmsg batches). Many client ports, so the
 * kernel spreads them over every socket.
 */
class NativeTransportServerTest {

    @ParameterizedTest
    @ValueSource(strings = {"io_uring", "epoll"})
    void everySocketOnThePortAnswersAndTruncationStillMovesToTcp(String transport) throws Exception {
        IoHandlerFactory io;
        if (transport.equals("io_uring")) {
            assumeTrue(IoUring.isAvailable(), "io_uring is not available here");
            io = IoUringIoHandler.newFactory();
        } else {
            assumeTrue(Epoll.isAvailable(), "epoll is not available here");
            io = EpollIoHandler.newFactory();
        }
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(3, io);
        try (DnsServer server = DnsServer.start(GeoZone.config(), new SimpleMeterRegistry(), group)) {
            assertThat(server.udpLoops()).as("every loop reads a socket of its own").isEqualTo(3);
            for (int client = 0; client < 30; client++) {
                SimpleResolver resolver = GeoZone.resolver(server.address(), null); // a new source port each
                Message answer = ask(resolver, "shop.requestflow.test.");
                assertThat(answer.getRcode()).isEqualTo(Rcode.NOERROR);
                assertThat(answer.getSection(Section.ANSWER)).hasSize(1);
            }
            byte[] raw = Queries.udp(server.address(), Queries.query("big.requestflow.test.", Type.TXT));
            assertThat(new Message(raw).getHeader().getFlag(Flags.TC)).isTrue();
            assertThat(ask(GeoZone.resolver(server.address(), null), "big.requestflow.test.", Type.TXT)
                    .getSection(Section.ANSWER)).hasSize(40);
            assertThat(ask(GeoZone.resolver(server.address(), "127.0.3.7"), "latency.requestflow.test.")
                    .getSection(Section.ANSWER).get(0).rdataToString()).isEqualTo("127.0.0.23");
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
        }
    }
}
