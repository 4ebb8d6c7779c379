package io.requestflow.dns.health;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

/** A TCP connect within the timeout passes. */
final class TcpProbe implements Probe {

    private final String host;
    private final int port;

    TcpProbe(String host, int port) {
        this.host = host;
        this.port = port;
    }

    @Override
    public boolean check(Duration timeout) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), (int) Math.max(1, timeout.toMillis()));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
