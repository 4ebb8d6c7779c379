package io.requestflow.dns;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/** Builds queries and known-bad inputs for the tests. */
final class Queries {

    static final String ZONE = "requestflow.test";

    private Queries() {}

    /** The test zone: shop on the edge, a name with many addresses, and one with too many for one datagram. */
    static DnsConfig config() {
        return DnsConfig.defaults("127.0.0.1").withPort(0).withRecords(Map.of(
                "shop", List.of("127.0.0.1"),
                "many", addresses(60),
                "huge", addresses(100)));
    }

    static List<String> addresses(int count) {
        return IntStream.rangeClosed(1, count).mapToObj(i -> "127.0.1." + i).toList();
    }

    static Message message(String name, int type) {
        return Message.newQuery(Record.newRecord(Name.fromConstantString(name), type, DClass.IN));
    }

    static byte[] query(String name, int type) {
        return message(name, type).toWire();
    }

    static byte[] ednsQuery(String name, int type, int payloadSize, int version) {
        Message message = message(name, type);
        message.addRecord(new OPTRecord(payloadSize, 0, version, 0), Section.ADDITIONAL);
        return message.toWire();
    }

    static Message parse(byte[] wire) {
        try {
            return new Message(wire);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A 12-byte header that promises five questions and carries none. */
    static byte[] headerClaimingFiveQuestions() {
        return new byte[] {0x12, 0x34, 0x01, 0x00, 0x00, 0x05, 0, 0, 0, 0, 0, 0};
    }

    /** One question whose name is a compression pointer to itself. */
    static byte[] compressionLoop() {
        return new byte[] {
            0x43, 0x21, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0,
            (byte) 0xC0, 0x0C, 0x00, 0x01, 0x00, 0x01};
    }

    /** Two pointers that point at each other. */
    static byte[] compressionCycle() {
        return new byte[] {
            0x43, 0x22, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0,
            (byte) 0xC0, 0x0E, (byte) 0xC0, 0x0C, 0x00, 0x01, 0x00, 0x01};
    }

    /** A valid A query with the given opcode. */
    static byte[] withOpcode(byte[] query, int opcode) {
        byte[] copy = query.clone();
        copy[2] = (byte) ((copy[2] & 0x87) | (opcode << 3));
        return copy;
    }

    static List<byte[]> garbage() {
        List<byte[]> inputs = new ArrayList<>();
        inputs.add(new byte[] {0x42});
        inputs.add(headerClaimingFiveQuestions());
        inputs.add(compressionLoop());
        inputs.add(compressionCycle());
        Random random = new Random(42);
        for (int i = 0; i < 5; i++) {
            byte[] bytes = new byte[1 + random.nextInt(300)];
            random.nextBytes(bytes);
            inputs.add(bytes);
        }
        return inputs;
    }

    /** One UDP exchange with the server from 127.0.0.1: the raw response bytes. */
    static byte[] udp(java.net.InetSocketAddress server, byte[] query) {
        try (java.net.DatagramSocket socket = new java.net.DatagramSocket(
                new java.net.InetSocketAddress("127.0.0.1", 0))) {
            socket.setSoTimeout(2000);
            socket.send(new java.net.DatagramPacket(query, query.length, server));
            java.net.DatagramPacket in = new java.net.DatagramPacket(new byte[65535], 65535);
            socket.receive(in);
            return java.util.Arrays.copyOf(in.getData(), in.getLength());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
