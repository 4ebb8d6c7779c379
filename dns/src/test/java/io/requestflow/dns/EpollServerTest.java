package io.requestflow.dns;

import static io.requestflow.dns.GeoZone.ask;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.requestflow.engine.net.Transport;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * The production set-up (what {@code ./flow up} runs): an epoll group, one SO_REUSEPORT UDP socket per event
 * loop, recvmmsg batches. Many client ports, so the kernel spreads them over every socket.
 */
class EpollServerTest {

    @Test
    void everySocketOnThePortAnswersAndTruncationStillMovesToTcp() throws Exception {
        assumeTrue(Transport.nativeEpoll(), "epoll is not available here");
        EventLoopGroup group = Transport.newGroup("dns-epoll-test", 3);
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
