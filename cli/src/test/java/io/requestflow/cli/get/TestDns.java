package io.requestflow.cli.get;

import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A minimal authoritative DNS responder for tests, on UDP 127.0.0.1 (ephemeral port): A records from a map,
 * NOERROR without answers for other types of known names, NXDOMAIN for unknown ones, and silence for the
 * names in {@code silent} (to test timeouts).
 */
final class TestDns implements AutoCloseable {
    private final DatagramSocket socket;
    private final Map<String, String> records;
    private final Set<String> silent;
    private final Thread thread;

    TestDns(Map<String, String> records, Set<String> silent) {
        this.records = records;
        this.silent = silent;
        try {
            socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        thread = Thread.ofPlatform().daemon().name("test-dns").start(this::serve);
    }

    InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    private void serve() {
        byte[] buf = new byte[4096];
        while (!socket.isClosed()) {
            DatagramPacket packet = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(packet);
                byte[] reply = answer(new Message(java.util.Arrays.copyOf(packet.getData(), packet.getLength())));
                if (reply != null) socket.send(new DatagramPacket(reply, reply.length, packet.getSocketAddress()));
            } catch (IOException e) {
                if (socket.isClosed()) return;
            }
        }
    }

    private byte[] answer(Message query) throws IOException {
        Record question = query.getQuestion();
        String name = question.getName().toString(true).toLowerCase(Locale.ROOT);
        if (silent.contains(name)) return null;
        Message reply = new Message(query.getHeader().getID());
        reply.getHeader().setFlag(Flags.QR);
        reply.getHeader().setFlag(Flags.AA);
        reply.addRecord(question, Section.QUESTION);
        String ip = records.get(name);
        if (ip == null) {
            reply.getHeader().setRcode(Rcode.NXDOMAIN);
        } else if (question.getType() == Type.A) {
            reply.addRecord(new ARecord(Name.fromString(name + "."), DClass.IN, 60, InetAddress.getByName(ip)),
                    Section.ANSWER);
        }
        return reply.toWire();
    }

    @Override
    public void close() {
        socket.close();
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
