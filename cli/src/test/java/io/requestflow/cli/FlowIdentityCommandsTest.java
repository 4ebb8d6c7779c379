package io.requestflow.cli;

import io.requestflow.engine.testing.Http;
import io.requestflow.services.auth.SigningKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

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
    void keysRotateRotatesTheFileWhenNoAuthServiceAnswers(@TempDir Path dir) {
        Path file = dir.resolve("auth").resolve("signing-keys.json");
        SigningKeys keys = SigningKeys.loadOrCreate(file);
        String before = keys.privateKey().getKeyID();
        @SuppressWarnings("unchecked")
        var published = (java.util.List<java.util.Map<String, Object>>) keys.jwks().get("keys");
        String next = published.stream().map(k -> (String) k.get("kid")).filter(k -> !k.equals(before)).findFirst().orElseThrow();

        Run run = flow("keys", "rotate", "--admin", "127.0.0.1:" + Http.closedPort(), "--data-dir", dir.toString());
        assertThat(run.code()).isZero();
        assertThat(run.out()).contains("no auth service answered").contains("active key: " + next);
        SigningKeys reloaded = SigningKeys.loadOrCreate(file);
        assertThat(reloaded.privateKey().getKeyID()).isEqualTo(next);
        @SuppressWarnings("unchecked")
        var after = (java.util.List<java.util.Map<String, Object>>) reloaded.jwks().get("keys");
        assertThat(after).extracting(k -> k.get("kid")).contains(before, next).hasSize(3);
    }

    @Test
    void apikeyCreateNeedsAKnownPlanAndARunningAuthService() {
        assertThat(flow("apikey", "create", "--plan", "gold").code()).isEqualTo(2);
        assertThat(flow("apikey", "create", "--plan", "free", "--admin", "127.0.0.1:" + Http.closedPort()).code()).isEqualTo(1);
    }
}
