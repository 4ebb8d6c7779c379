package io.requestflow.data;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class LoopbackPortsTest {

    @Test
    void pickedPortsAreFreeNeverRepeatedAndBelowTheKernelsEphemeralRange() {
        int[] ephemeral = LoopbackPorts.ephemeralRange();
        Assumptions.assumeTrue(ephemeral[0] > 21_000, "needs Linux's ip_local_port_range starting above 21000");
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            int port = LoopbackPorts.pickFree();
            assertThat(port).isBetween(20_000, ephemeral[0] - 1);
            assertThat(seen.add(port)).as("port %d handed out twice", port).isTrue();
            assertThat(LoopbackPorts.isFree(port)).isTrue();
        }
    }
}
