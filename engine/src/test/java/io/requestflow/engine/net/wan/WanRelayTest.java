package io.requestflow.engine.net.wan;

import io.netty.channel.EventLoopGroup;
import io.requestflow.engine.net.HostPort;
import io.requestflow.engine.net.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The relay over real sockets: a client in a "far" range (127.0.0.2) waits at least the designed round
 * trips, a near one does not; the target sees the client's own address; a large transfer crosses a small
 * buffer intact and in order; a target that is down, and a client that leaves, end the other side.
 */
class WanRelayTest {
    private static final long ONE_WAY_MS = 40;
    private static final InetAddress FAR = address("127.0.0.2");
    private static final WanRelay.Delay DELAY =
            client -> client.equals(FAR) ? TimeUnit.MILLISECONDS.toNanos(ONE_WAY_MS) : 0;
    private static final WanRelay.Settings SETTINGS = new WanRelay.Settings(1_000, 64 * 1024);

    private EventLoopGroup group;
    private ServerSocket target;
    /** The address each connection to the target came from. */
    private final BlockingQueue<InetAddress> peers = new LinkedBlockingQueue<>();
    private Thread echo;

    @BeforeEach
    void start() throws IOException {
        group = Transport.newGroup("wan-test", 1);
        target = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        echo = Thread.ofVirtual().start(this::echoForever);
    }

    @AfterEach
    void stop() throws IOException {
        target.close();
        echo.interrupt();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    @Test
    void aFarClientWaitsTheHandshakeAndEachRoundTripANearOneDoesNot() throws Exception {
        try (WanRelay relay = relayTo(target.getLocalSocketAddress());
             Socket far = connect(relay, FAR);
             Socket near = connect(relay, InetAddress.getLoopbackAddress())) {
            // first exchange: the handshake's round trip, then the request's (4 one-way delays)
            assertThat(roundTripMs(far, 100)).isGreaterThanOrEqualTo(4 * ONE_WAY_MS - 1);
            // later exchanges on the same connection: one round trip
            assertThat(roundTripMs(far, 100)).isGreaterThanOrEqualTo(2 * ONE_WAY_MS - 1);
            assertThat(roundTripMs(near, 100)).isLessThan(2 * ONE_WAY_MS); // not delayed (generous for a busy machine)
            assertThat(peers.poll(5, TimeUnit.SECONDS)).isEqualTo(FAR);
            assertThat(peers.poll(5, TimeUnit.SECONDS)).isEqualTo(InetAddress.getLoopbackAddress());
        }
    }

    @Test
    void aLargeTransferCrossesASmallBufferIntactAndInOrder() throws Exception {
        byte[] payload = new byte[4 * 1024 * 1024]; // 64 times the relay's buffer per direction
        new Random(7).nextBytes(payload);
        try (WanRelay relay = relayTo(target.getLocalSocketAddress()); Socket far = connect(relay, FAR)) {
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    far.getOutputStream().write(payload);
                    far.getOutputStream().flush();
                } catch (IOException ignored) {
                    // the read below fails then
                }
            });
            byte[] back = new byte[payload.length];
            new DataInputStream(far.getInputStream()).readFully(back);
            writer.join(10_000);
            assertThat(Arrays.equals(back, payload)).as("echoed bytes equal the sent ones").isTrue();
        }
    }

    @Test
    void aTargetThatIsDownClosesTheClientsConnection() throws Exception {
        InetSocketAddress nothing;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            nothing = (InetSocketAddress) s.getLocalSocketAddress(); // free again once closed
        }
        try (WanRelay relay = relayTo(nothing); Socket client = connect(relay, FAR)) {
            client.getOutputStream().write("GET / HTTP/1.1\r\n\r\n".getBytes());
            assertThat(readOrEnd(client.getInputStream())).isEqualTo(-1);
        }
    }

    @Test
    void aClientThatLeavesEndsTheTargetsConnectionAfterItsLastBytes() throws Exception {
        try (ServerSocket quiet = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             WanRelay relay = relayTo(quiet.getLocalSocketAddress())) {
            quiet.setSoTimeout(5_000);
            Socket client = connect(relay, FAR);
            client.getOutputStream().write(new byte[] {1, 2, 3});
            client.close();
            try (Socket accepted = quiet.accept()) {
                accepted.setSoTimeout(5_000);
                InputStream in = accepted.getInputStream();
                assertThat(in.readNBytes(3)).containsExactly(1, 2, 3);
                assertThat(in.read()).isEqualTo(-1);
            }
        }
    }

    @Test
    void settingsOutOfRangeAreRefusedByName() {
        assertThatThrownBy(() -> new WanRelay.Settings(0, 1)).hasMessageContaining("connectTimeoutMs");
        assertThatThrownBy(() -> new WanRelay.Settings(1, 0)).hasMessageContaining("maxBufferedBytes");
    }

    private WanRelay relayTo(java.net.SocketAddress to) {
        return WanRelay.start(group, new HostPort("127.0.0.1", 0), (InetSocketAddress) to, DELAY, SETTINGS);
    }

    private static Socket connect(WanRelay relay, InetAddress from) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(from, 0));
        s.connect(relay.address(), 5_000);
        s.setSoTimeout(10_000);
        s.setTcpNoDelay(true);
        return s;
    }

    private static long roundTripMs(Socket s, int bytes) throws IOException {
        long t0 = System.nanoTime();
        OutputStream out = s.getOutputStream();
        out.write(new byte[bytes]);
        out.flush();
        new DataInputStream(s.getInputStream()).readFully(new byte[bytes]);
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    private static int readOrEnd(InputStream in) {
        try {
            return in.read();
        } catch (IOException reset) {
            return -1; // a reset ends it as well as a close
        }
    }

    private void echoForever() {
        while (!target.isClosed()) {
            try {
                Socket s = target.accept();
                peers.add(((InetSocketAddress) s.getRemoteSocketAddress()).getAddress());
                Thread.ofVirtual().start(() -> {
                    try (s) {
                        s.getInputStream().transferTo(s.getOutputStream());
                    } catch (IOException ignored) {
                        // the client went away
                    }
                });
            } catch (IOException closed) {
                return;
            }
        }
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
