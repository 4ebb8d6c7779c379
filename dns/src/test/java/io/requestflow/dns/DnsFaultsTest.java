package io.requestflow.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.requestflow.engine.fault.FaultPlan;
import io.requestflow.engine.fault.Faults;
import io.requestflow.engine.net.Transport;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Timeout;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** {@code ./flow break dns}: the server answers SERVFAIL and late while a fault is injected, and well again after. */
@Timeout(30)
class DnsFaultsTest {
    private static EventLoopGroup group;
    private static Faults faults;
    private static DnsServer server;

    @BeforeAll
    static void start() {
        group = Transport.newGroup("dns-faults-test", 1);
        faults = new Faults("dns-1", new SimpleMeterRegistry());
        server = DnsServer.start(Queries.config(), new SimpleMeterRegistry(), group, faults);
    }

    @AfterAll
    static void stop() {
        server.close();
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
    }

    @AfterEach
    void heal() {
        faults.clear();
    }

    static Message ask(DnsTransport transport) throws IOException {
        return DnsServerTest.resolver(server.address(), transport).send(Queries.message("shop.requestflow.test.", Type.A));
    }

    static FaultPlan plan(long latencyMs, int errorStatus, int percent) {
        return new FaultPlan(latencyMs, 0, errorStatus, percent, false, System.currentTimeMillis() + 60_000);
    }

    @ParameterizedTest
    @EnumSource(DnsTransport.class)
    void anInjectedErrorIsServfailWithTheQuestionAndHealingEndsIt(DnsTransport transport) throws IOException {
        faults.set(plan(0, 503, 100));
        Message failed = ask(transport);
        assertThat(failed.getRcode()).isEqualTo(Rcode.SERVFAIL);
        assertThat(failed.getQuestion().getName().toString()).isEqualTo("shop.requestflow.test.");
        assertThat(failed.getSection(Section.ANSWER)).isEmpty();

        faults.clear();
        Message answered = ask(transport);
        assertThat(answered.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(answered.getSection(Section.ANSWER)).hasSize(1);
    }

    @ParameterizedTest
    @EnumSource(DnsTransport.class)
    void anInjectedLatencyHoldsTheAnswerBackAndStillAnswers(DnsTransport transport) throws IOException {
        ask(transport); // warm: the first answer may be slow for reasons of its own
        faults.set(plan(400, 0, 0));
        long start = System.nanoTime();
        Message late = ask(transport);
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(late.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(late.getSection(Section.ANSWER)).hasSize(1);
        assertThat(tookMs).as("held back by the injected 400 ms").isGreaterThanOrEqualTo(390);
    }
}
