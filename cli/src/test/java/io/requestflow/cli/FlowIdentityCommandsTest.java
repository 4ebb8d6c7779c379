package io.requestflow.cli;

import io.requestflow.engine.testing.Http;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ./flow keys rotate} without a running auth service, and {@code ./flow apikey create} argument checks. */
class FlowIdentityCommandsTest {

    record Run(int code, String out) {}

    static Run flow(String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            int code = new CommandLine(new Flow()).execute(args);
            return new Run(code, captured.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(original);
        }
    }

    @Test
    void keysRotateNeedsARunningAuthService() {
        Run run = flow("keys", "rotate", "--admin", "127.0.0.1:" + Http.closedPort());
        assertThat(run.code()).isEqualTo(1);
        assertThat(run.out()).doesNotContain("rotated");
    }

    @Test
    void apikeyCreateNeedsAKnownPlanAndARunningAuthService() {
        assertThat(flow("apikey", "create", "--plan", "gold").code()).isEqualTo(2);
        assertThat(flow("apikey", "create", "--plan", "free", "--admin", "127.0.0.1:" + Http.closedPort()).code()).isEqualTo(1);
    }
}
