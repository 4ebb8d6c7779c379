package io.requestflow.cli;

import io.requestflow.engine.net.HostPort;
import io.requestflow.topology.Topology;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** `./flow break` / `heal` / `faults`: names to admin ports, durations, and the mistakes they explain. */
class BreakCommandTest {

    @Test
    void instanceNamesFindTheirAdminPortsIncludingScaledGateways() {
        Topology t = new Topology();
        int gatewayAdmin = t.gateway.adminPortOrDefault();
        assertThat(HopAdmins.find(t, "catalog")).isEqualTo(new HostPort(t.bind, t.services.catalog.adminPortOrDefault()));
        assertThat(HopAdmins.find(t, "catalog-1")).isEqualTo(HopAdmins.find(t, "catalog"));
        assertThat(HopAdmins.find(t, "gateway-2")).isEqualTo(new HostPort(t.bind, gatewayAdmin + 1));
        assertThat(HopAdmins.find(t, "gateway-7")).as("a gateway ./flow scale started").isEqualTo(new HostPort(t.bind, gatewayAdmin + 6));
        assertThat(HopAdmins.of(t)).containsKeys("edge-1", "firewall-1", "balancer-1", "gateway-1", "page-1");
        assertThatThrownBy(() -> HopAdmins.find(t, "redis")).hasMessageContaining("no hop instance named 'redis'")
                .hasMessageContaining("catalog-1");
    }

    @Test
    void durationsReadAsPeopleWriteThem() {
        assertThat(BreakCommand.seconds("90s")).isEqualTo(90);
        assertThat(BreakCommand.seconds("5m")).isEqualTo(300);
        assertThat(BreakCommand.seconds("1h")).isEqualTo(3600);
        assertThat(BreakCommand.seconds("45")).isEqualTo(45);
        assertThatThrownBy(() -> BreakCommand.seconds("soon")).hasMessageContaining("90s, 5m or 1h");
        assertThatThrownBy(() -> BreakCommand.seconds("0s")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void breakingNothingOrAPercentWithoutAStatusIsExplained() {
        assertThat(run("catalog")).contains("say what to break");
        assertThat(run("catalog", "--percent", "20")).contains("--percent needs --error STATUS");
    }

    @Test
    void anInstanceThatIsNotRunningIsNamedInTheError() {
        String closed = "127.0.0.1:" + io.requestflow.engine.testing.Http.closedPort();
        assertThat(run("catalog", "--latency", "100", "--admin", closed)).contains("cannot reach catalog's admin port");
    }

    private static String run(String... args) {
        StringWriter err = new StringWriter();
        picocli.CommandLine cli = new picocli.CommandLine(new BreakCommand());
        cli.setErr(new PrintWriter(err));
        cli.setExecutionExceptionHandler((e, c, p) -> {
            c.getErr().println(e.getMessage());
            return 1;
        });
        assertThat(cli.execute(args)).isNotZero();
        return err.toString();
    }
}
