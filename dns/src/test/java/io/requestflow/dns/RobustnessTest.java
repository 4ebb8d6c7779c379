package io.requestflow.dns;

import static io.requestflow.dns.GeoZone.ask;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/** Hostile input over real sockets, and the protections: rate limiting and query size limits. */
class RobustnessTest {

    @Test
    void survivesThousandsOfRandomAndMutatedPacketsOverUdpAndTcp() throws Exception {
        try (DnsServer server = DnsServer.start(GeoZone.config(), new SimpleMeterRegistry())) {
            SimpleResolver resolver = GeoZone.resolver(server.address(), null);
            Random random = new Random(42);
            byte[][] seeds = {
                Queries.ednsQuery("shop.requestflow.test.", Type.A, 1232, 0),
                Queries.query("alias.requestflow.test.", Type.A),
                Queries.compressionLoop(), Queries.compressionCycle(), Queries.headerClaimingFiveQuestions()};
            try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
                Thread.ofVirtual().start(() -> { // a real client reads what it is sent
                    byte[] sink = new byte[65535];
                    while (!udp.isClosed()) {
                        try {
                            udp.receive(new DatagramPacket(sink, sink.length));
                        } catch (IOException closed) {
                            return;
                        }
                    }
                });
                for (int i = 0; i < 4000; i++) {
                    byte[] packet = mutate(random, seeds[i % seeds.length], i);
                    udp.send(new DatagramPacket(packet, packet.length, server.address()));
                    if (i % 50 == 49) {
                        Thread.sleep(2); // paced: a burst beyond the socket buffer is dropped by the kernel, not us
                    }
                    if (i % 500 == 499) {
                        assertServing(resolver);
                    }
                }
            }
            for (int c = 0; c < 40; c++) {
                try (Socket tcp = new Socket()) {
                    tcp.connect(server.address(), 2000);
                    DataOutputStream out = new DataOutputStream(tcp.getOutputStream());
                    for (int i = 0; i < 25; i++) {
                        byte[] packet = mutate(random, seeds[(c + i) % seeds.length], c * 25 + i);
                        int claimed = random.nextInt(10) == 0 ? random.nextInt(65536) : packet.length;
                        out.writeShort(claimed);
                        out.write(packet);
                    }
                    out.flush();
                } catch (IOException closedByServer) {
                    // the server may close a connection that sent garbage: that is allowed
                }
            }
            assertServing(resolver);
        }
    }

    @Test
    void identicalResponsesToOneSubnetAreRateLimitedWithSlip() throws Exception {
        DnsConfig config = Queries.config().withRateLimit(RateLimitConfig.fromJson(20, null, null, 2, null));
        try (DnsServer server = DnsServer.start(config, new SimpleMeterRegistry());
             DatagramSocket udp = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            udp.setSoTimeout(300);
            byte[] query = Queries.query("shop.requestflow.test.", Type.A);
            int full = 0;
            int truncated = 0;
            for (int i = 0; i < 100; i++) {
                udp.send(new DatagramPacket(query, query.length, server.address()));
            }
            byte[] buffer = new byte[1500];
            try {
                while (true) {
                    DatagramPacket in = new DatagramPacket(buffer, buffer.length);
                    udp.receive(in);
                    Message m = new Message(java.util.Arrays.copyOf(in.getData(), in.getLength()));
                    if (m.getHeader().getFlag(Flags.TC)) {
                        truncated++;
                    } else {
                        full++;
                    }
                }
            } catch (java.net.SocketTimeoutException done) {
                // all replies read
            }
            // 100 queries within ~1 s (two windows at most): ≤ 40 full, about half of the rest slip
            assertThat(full).isBetween(20, 40);
            assertThat(truncated).isBetween(25, 45);
            SimpleResolver tcp = GeoZone.resolver(server.address(), null);
            tcp.setTCP(true);
            assertThat(ask(tcp, "shop.requestflow.test.").getSection(Section.ANSWER)).as("TCP is never limited")
                    .hasSize(1);
        }
    }

    @Test
    void oversizedQueriesGetNoAnswer() throws Exception {
        try (DnsServer server = DnsServer.start(Queries.config(), new SimpleMeterRegistry());
             DatagramSocket udp = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            udp.setSoTimeout(300);
            byte[] query = java.util.Arrays.copyOf(Queries.query("shop.requestflow.test.", Type.A), 600);
            udp.send(new DatagramPacket(query, query.length, server.address()));
            assertThat(receives(udp)).isFalse();
            assertServing(GeoZone.resolver(server.address(), null));
        }
    }

    private static boolean receives(DatagramSocket udp) throws IOException {
        try {
            udp.receive(new DatagramPacket(new byte[1500], 1500));
            return true;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        }
    }

    private static void assertServing(SimpleResolver resolver) {
        // UDP may lose a datagram, and on a shared machine (load 20+ on 2 cores) the server's loop may not run
        // for a while: retry like a real resolver does. Three losses in a row (6 s) is a failure.
        Message answer = null;
        for (int attempt = 1; answer == null; attempt++) {
            try {
                answer = ask(resolver, "shop.requestflow.test.");
            } catch (RuntimeException lost) {
                if (attempt == 3) {
                    throw lost;
                }
            }
        }
        assertThat(answer.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(answer.getSection(Section.ANSWER)).isNotEmpty();
    }

    /** Random bytes, flipped bytes, truncations, or huge section counts, in turn. */
    private static byte[] mutate(Random random, byte[] seed, int i) {
        switch (i % 4) {
            case 0 -> {
                byte[] junk = new byte[random.nextInt(600)];
                random.nextBytes(junk);
                return junk;
            }
            case 1 -> {
                byte[] flipped = seed.clone();
                for (int f = 1 + random.nextInt(6); f > 0; f--) {
                    flipped[random.nextInt(flipped.length)] = (byte) random.nextInt(256);
                }
                return flipped;
            }
            case 2 -> {
                return java.util.Arrays.copyOf(seed, random.nextInt(seed.length + 1));
            }
            default -> {
                byte[] counts = seed.clone();
                for (int c = 4; c < 12 && c < counts.length; c++) {
                    counts[c] = (byte) (random.nextBoolean() ? 0xFF : random.nextInt(256));
                }
                return counts;
            }
        }
    }
}
