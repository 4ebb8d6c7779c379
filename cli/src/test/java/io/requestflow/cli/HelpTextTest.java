package io.requestflow.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

import static org.assertj.core.api.Assertions.assertThat;

/** Every command's --help renders whole: picocli reads descriptions as format strings, so a bare % breaks them. */
class HelpTextTest {
    @Test
    void everyCommandsHelpRendersWithoutAFormatWarning() {
        PrintStream originalErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int rendered = 0;
        try {
            Deque<CommandLine> pending = new ArrayDeque<>();
            pending.add(new CommandLine(new Flow()));
            while (!pending.isEmpty()) {
                CommandLine command = pending.poll();
                String usage = command.getUsageMessage();
                assertThat(usage).as(command.getCommandName()).contains("Usage:");
                rendered++;
                pending.addAll(command.getSubcommands().values());
            }
        } finally {
            System.setErr(originalErr);
        }
        assertThat(rendered).isGreaterThan(15);
        assertThat(err.toString(StandardCharsets.UTF_8)).doesNotContain("picocli WARN");
    }
}
