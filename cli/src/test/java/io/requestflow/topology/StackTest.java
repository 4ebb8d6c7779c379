package io.requestflow.topology;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(value = 90, unit = TimeUnit.SECONDS)
class StackTest {

    @Test
    void aTakenPortIsAClearErrorAndNothingIsLeftRunning(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Topology t = new Topology().ephemeral();
            t.catalogProducts = 10;
            t.edge.port = taken.getLocalPort();
            assertThatThrownBy(() -> Stack.start(t, dir, line -> {}))
                    .hasMessageContaining("edge-1: cannot listen on 127.0.0.1:" + taken.getLocalPort())
                    .hasMessageContaining("address already in use");
        }
        // everything started before the failure was stopped: the same data directory starts again
        Topology again = new Topology().ephemeral();
        again.catalogProducts = 10;
        try (Stack stack = Stack.start(again, dir, line -> {})) {
            assertThat(stack.hop("edge").address().getPort()).isPositive();
        }
    }

    @Test
    void theShippedTopologyFileMatchesTheBuiltInDefaults() {
        Path file = Path.of("..", "config", "topology.yaml");
        assertThat(Files.exists(file)).isTrue();
        Topology fromFile = TopologyLoader.load(file, true);
        Topology defaults = new Topology();
        assertThat(fromFile).usingRecursiveComparison().isEqualTo(defaults);
    }

    @Test
    void aMisspeltSettingNamesItself(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("t.yaml");
        Files.writeString(file, "edge:\n  prot: 8080\n");
        assertThatThrownBy(() -> TopologyLoader.load(file, true)).hasMessageContaining("unknown setting 'prot'");
    }
}
