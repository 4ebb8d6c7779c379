package io.requestflow.cli;

import io.requestflow.cli.get.GetCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.nio.file.Path;

/** {@code ./flow}: the one command line for running, serving and probing Requestflow. */
@Command(name = "flow", mixinStandardHelpOptions = true, version = "requestflow 0.1.0",
        description = {
                "Requestflow: the full production request path, every hop a real server.",
                "  dns > edge > firewall > balancer > gateway > services > redis > postgres",
                ""},
        subcommands = {
                UpCommand.class,
                ServeCommand.class,
                GetCommand.class,
                TraceCommand.class,
                ScaleCommand.class,
                BreakCommand.class,
                HealCommand.class,
                FaultsCommand.class,
                QueueCommand.class,
                DnsCommand.class,
                CaCommand.class,
                SeedCommand.class,
                KeysCommand.class,
                ApiKeyCommand.class,
                io.requestflow.cli.load.LoadCommand.class,
                io.requestflow.cli.load.BenchCommand.class,
                io.requestflow.cli.kube.KubeCommand.class,
                CommandLine.HelpCommand.class},
        usageHelpAutoWidth = true,
        footer = {"", "Start with:  ./flow up",
                "Then:        ./flow get http://shop.requestflow.test:8080/api/products/42",
                "Watch:       http://127.0.0.1:9900/ (the console: every hop, a request's trace, traffic, faults)",
                "Tests:       ./flow test        One command's options:  ./flow help COMMAND"})
public final class Flow implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** The project directory: config/ and var/ are found relative to it. The launcher sets it. */
    public static Path home() {
        return Path.of(System.getProperty("requestflow.home", ".")).toAbsolutePath().normalize();
    }

    public static void main(String[] args) {
        // Netty's leak detector records a stack trace for one buffer in 128 (about 2% of a proxy hop's
        // CPU): a debugging aid the tests keep on; -Dio.netty.leakDetection.level=simple turns it on here
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            io.netty.util.ResourceLeakDetector.setLevel(io.netty.util.ResourceLeakDetector.Level.DISABLED);
        }
        try {
            io.requestflow.engine.net.Transport.kind(); // a misspelt -Drequestflow.transport stops here, not mid-start
        } catch (ExceptionInInitializerError e) {
            System.err.println("flow: " + e.getCause().getMessage());
            System.exit(2);
        }
        CommandLine cli = new CommandLine(new Flow());
        cli.setExecutionExceptionHandler((error, commandLine, parseResult) -> {
            Throwable root = error;
            while ((root instanceof RuntimeException) && root.getCause() != null
                    && (root.getMessage() == null || root.getMessage().equals(String.valueOf(root.getCause())))) {
                root = root.getCause();
            }
            commandLine.getErr().println(commandLine.getCommandName() + ": " + (root.getMessage() != null
                    ? root.getMessage() : root.toString()));
            if (Boolean.getBoolean("requestflow.debug")) error.printStackTrace(commandLine.getErr());
            return 1;
        });
        System.exit(cli.execute(args));
    }
}
