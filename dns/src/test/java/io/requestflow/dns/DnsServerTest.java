package io.requestflow.dns;

import static io.requestflow.dns.Queries.parse;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/** The server over real sockets on 127.0.0.1, asked by dnsjava's resolver and by hand-made packets. */
@Timeout(15)
class DnsServerTest {

    /** Generous: a first TCP query to a cold server took over 2 s once on the shared machine at load 9-10. */
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(5);
    /** How long to wait for an answer that may rightly never come. */
    private static final int SILENCE_MILLIS = 300;

    private static SimpleMeterRegistry registry;
    private static DnsServer server;

    @BeforeAll
    static void start() {
        registry = new SimpleMeterRegistry();
        server = DnsServer.start(Queries.config(), registry);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @ParameterizedTest
    @EnumSource(DnsTransport.class)
    void answersShopWithTheEdgeAddressAuthoritatively(DnsTransport transport) throws IOException {
        Message response = resolver(transport).send(Queries.message("shop.requestflow.test.", Type.A));

        assertThat(response.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(response.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(response.getHeader().getFlag(Flags.RA)).isFalse();
        assertThat(response.getSection(Section.ANSWER)).singleElement()
                .satisfies(r -> assertThat(((ARecord) r).getAddress().getHostAddress()).isEqualTo("127.0.0.1"));
    }

    @ParameterizedTest
    @EnumSource(DnsTransport.class)
    void apexHasSoaAndNs(DnsTransport transport) throws IOException {
        SimpleResolver resolver = resolver(transport);

        Message soa = resolver.send(Queries.message("requestflow.test.", Type.SOA));
        assertThat(soa.getSection(Section.ANSWER)).singleElement().isInstanceOf(SOARecord.class);

        Message ns = resolver.send(Queries.message("requestflow.test.", Type.NS));
        assertThat(ns.getSection(Section.ANSWER)).singleElement()
                .satisfies(r -> assertThat(((NSRecord) r).getTarget().toString()).isEqualTo("ns1.requestflow.test."));
        assertThat(ns.getSection(Section.ADDITIONAL)).extracting(Record::getType).contains(Type.A);
    }

    @ParameterizedTest
    @EnumSource(DnsTransport.class)
    void unknownNameIsNxdomainWithSoa(DnsTransport transport) throws IOException {
        Message response = resolver(transport).send(Queries.message("unknown.requestflow.test.", Type.A));

        assertThat(response.getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(response.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(response.getSection(Section.AUTHORITY)).singleElement().isInstanceOf(SOARecord.class);
    }

    @ParameterizedTest
    @EnumSource(DnsTransport.class)
    void missingTypeIsNodata(DnsTransport transport) throws IOException {
        Message response = resolver(transport).send(Queries.message("shop.requestflow.test.", Type.AAAA));

        assertThat(response.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(response.getSection(Section.ANSWER)).isEmpty();
        assertThat(response.getSection(Section.AUTHORITY)).singleElement().isInstanceOf(SOARecord.class);
    }

    @ParameterizedTest
    @EnumSource(DnsTransport.class)
    void otherZonesAreRefused(DnsTransport transport) throws IOException {
        Message response = resolver(transport).send(Queries.message("example.com.", Type.A));

        assertThat(response.getRcode()).isEqualTo(Rcode.REFUSED);
        assertThat(response.getHeader().getFlag(Flags.AA)).isFalse();
    }

    @ParameterizedTest
    @EnumSource(DnsTransport.class)
    void namesAreCaseInsensitive(DnsTransport transport) throws IOException {
        Message response = resolver(transport).send(Queries.message("SHOP.RequestFlow.TEST.", Type.A));

        assertThat(response.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(response.getSection(Section.ANSWER)).hasSize(1);
    }

    @Test
    void udpWithoutEdnsTruncatesAndTcpCarriesEverything() throws IOException {
        SimpleResolver udp = resolver(DnsTransport.UDP);
        udp.setEDNS(-1, 0, 0, List.of()); // version -1: no OPT record
        udp.setIgnoreTruncation(true);
        Message truncated = udp.send(Queries.message("many.requestflow.test.", Type.A));
        assertThat(truncated.getHeader().getFlag(Flags.TC)).isTrue();
        assertThat(truncated.getSection(Section.ANSWER)).isEmpty();

        Message full = resolver(DnsTransport.TCP).send(Queries.message("many.requestflow.test.", Type.A));
        assertThat(full.getHeader().getFlag(Flags.TC)).isFalse();
        assertThat(full.getSection(Section.ANSWER)).hasSize(60);
    }

    @Test
    void clientFallsBackToTcpOnTruncation() throws IOException {
        SimpleResolver udp = resolver(DnsTransport.UDP);
        udp.setEDNS(-1, 0, 0, List.of()); // version -1: no OPT record

        Message response = udp.send(Queries.message("huge.requestflow.test.", Type.A));

        assertThat(response.getSection(Section.ANSWER)).hasSize(100);
    }

    @Test
    void udpSurvivesGarbage() throws IOException {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            socket.setSoTimeout(SILENCE_MILLIS);
            for (byte[] garbage : Queries.garbage()) {
                byte[] reply = exchangeUdp(socket, garbage);
                assertFormerrOrSilence(garbage, reply);
            }
            assertThat(exchangeUdp(socket, Queries.headerClaimingFiveQuestions()))
                    .as("a readable header gets FORMERR").isNotNull();
            assertThat(exchangeUdp(socket, new byte[] {1})).as("one byte gets nothing").isNull();
        }
        assertShopResolves(DnsTransport.UDP);
    }

    @Test
    void tcpSurvivesGarbage() throws IOException {
        for (byte[] garbage : Queries.garbage()) {
            try (Socket socket = connect()) {
                byte[] reply = exchangeTcp(socket, garbage);
                assertFormerrOrSilence(garbage, reply);
            }
        }
        try (Socket socket = connect()) {
            // Not framed at all: whatever the length prefix reads as, the server copes.
            byte[] noise = new byte[3000];
            new Random(3).nextBytes(noise);
            socket.getOutputStream().write(noise);
            socket.shutdownOutput();
            drain(socket);
        }
        assertShopResolves(DnsTransport.TCP);
    }

    @Test
    void tcpAnswersPipelinedQueriesInOrder() throws IOException {
        byte[] first = Queries.query("shop.requestflow.test.", Type.A);
        byte[] second = Queries.query("unknown.requestflow.test.", Type.A);
        try (Socket socket = connect()) {
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeShort(first.length);
            out.write(first);
            out.writeShort(second.length);
            out.write(second);
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());

            assertThat(parse(readFrame(in)).getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(parse(readFrame(in)).getRcode()).isEqualTo(Rcode.NXDOMAIN);
        }
    }

    @Test
    void countsQueriesByTypeRcodeAndTransport() throws IOException {
        resolver(DnsTransport.TCP).send(Queries.message("nothing-here.requestflow.test.", Type.TXT));

        assertThat(registry.get(DnsMetrics.QUERIES)
                .tags("transport", "tcp", "qtype", "TXT", "rcode", "NXDOMAIN").counter().count()).isEqualTo(1);
        assertThat(registry.get(DnsMetrics.DURATION).tags("transport", "tcp").timer().count()).isPositive();
    }

    private static void assertShopResolves(DnsTransport transport) throws IOException {
        Message response = resolver(transport).send(Queries.message("shop.requestflow.test.", Type.A));
        assertThat(response.getSection(Section.ANSWER)).hasSize(1);
    }

    /** Garbage must get FORMERR for its own id, or nothing; never a crash and never a real answer. */
    private static void assertFormerrOrSilence(byte[] garbage, byte[] reply) {
        if (reply == null) {
            return;
        }
        Message response = parse(reply);
        assertThat(response.getHeader().getFlag(Flags.QR)).isTrue();
        assertThat(response.getRcode()).as("answer to %s", Arrays.toString(garbage)).isEqualTo(Rcode.FORMERR);
        assertThat(Arrays.copyOf(reply, 2)).isEqualTo(Arrays.copyOf(garbage, 2));
    }

    private static byte[] exchangeUdp(DatagramSocket socket, byte[] query) throws IOException {
        socket.send(new DatagramPacket(query, query.length, server.address()));
        byte[] buffer = new byte[4096];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        try {
            socket.receive(packet);
        } catch (SocketTimeoutException e) {
            return null;
        }
        return Arrays.copyOf(buffer, packet.getLength());
    }

    /** Sends one framed message; returns the framed reply, or null if the server closed or stayed silent. */
    private static byte[] exchangeTcp(Socket socket, byte[] message) throws IOException {
        DataOutputStream out = new DataOutputStream(socket.getOutputStream());
        out.writeShort(message.length);
        out.write(message);
        out.flush();
        try {
            return readFrame(new DataInputStream(socket.getInputStream()));
        } catch (EOFException | SocketTimeoutException | SocketException e) {
            return null;
        }
    }

    private static byte[] readFrame(DataInputStream in) throws IOException {
        byte[] frame = new byte[in.readUnsignedShort()];
        in.readFully(frame);
        return frame;
    }

    private static void drain(Socket socket) throws IOException {
        try {
            socket.getInputStream().readAllBytes();
        } catch (SocketTimeoutException | SocketException e) {
            // silence or a reset: both fine, the server is checked next
        }
    }

    private static Socket connect() throws IOException {
        Socket socket = new Socket();
        socket.connect(server.address(), 1000);
        socket.setSoTimeout(SILENCE_MILLIS);
        return socket;
    }

    static SimpleResolver resolver(DnsTransport transport) {
        return resolver(server.address(), transport);
    }

    static SimpleResolver resolver(InetSocketAddress address, DnsTransport transport) {
        SimpleResolver resolver = new SimpleResolver(address);
        resolver.setTCP(transport == DnsTransport.TCP);
        resolver.setTimeout(CLIENT_TIMEOUT);
        return resolver;
    }
}
