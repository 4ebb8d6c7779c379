package io.requestflow.engine.hop;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.requestflow.engine.net.Transport;
import org.junit.jupiter.api.Test;

class DatagramGroupTest {

    @Test
    void udpServersReadOnEpollWhenTheProcessRunsIoUring() {
        try (Engine engine = new Engine(2, 10)) {
            if (Transport.kind() == Transport.Kind.IO_URING && Epoll.isAvailable()) {
                assertThat(engine.datagramGroup()).isNotSameAs(engine.group())
                        .isSameAs(engine.datagramGroup()); // made once
                assertThat(((IoEventLoopGroup) engine.datagramGroup()).isIoType(EpollIoHandler.class)).isTrue();
                assertThat(engine.datagramGroup()).hasSize(2);
            } else {
                assertThat(engine.datagramGroup()).as("one transport, one group").isSameAs(engine.group());
            }
        }
    }
}
