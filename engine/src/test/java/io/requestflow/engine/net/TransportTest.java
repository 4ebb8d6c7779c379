package io.requestflow.engine.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import org.junit.jupiter.api.Test;

class TransportTest {

    @Test
    void askingForOneGetsItWhenItLoads() {
        assertThat(Transport.pick("nio")).isEqualTo(Transport.Kind.NIO);
        assertThat(Transport.pick(" EPOLL ")).isEqualTo(Epoll.isAvailable() ? Transport.Kind.EPOLL : Transport.Kind.NIO);
        assumeTrue(IoUring.isAvailable(), "io_uring is not available here");
        assertThat(Transport.pick("io_uring")).isEqualTo(Transport.Kind.IO_URING);
        assertThat(Transport.pick("auto")).as("the best one by default").isEqualTo(Transport.Kind.IO_URING);
    }

    @Test
    void anUnknownNameSaysWhatIsExpected() {
        assertThatThrownBy(() -> Transport.pick("uring"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("-Drequestflow.transport=uring: expected auto, io_uring, epoll or nio");
    }
}
