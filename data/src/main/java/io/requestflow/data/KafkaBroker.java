package io.requestflow.data;

import org.apache.kafka.common.Uuid;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The main class of the embedded broker's own JVM ({@link EmbeddedKafkaServer} starts it): formats the
 * log directory on first use (KRaft, one node that is broker and controller), then runs Kafka until
 * it is told to stop.
 */
public final class KafkaBroker {
    private KafkaBroker() {}

    /** {@code args[0]}: the server.properties; {@code args[1]}: its log directory. */
    public static void main(String[] args) throws Exception {
        Path properties = Path.of(args[0]);
        Path logDir = Path.of(args[1]);
        if (!Files.exists(logDir.resolve("meta.properties"))) {
            int code = kafka.tools.StorageTool.execute(new String[] {"format", "--standalone", "--ignore-formatted",
                    "-t", Uuid.randomUuid().toString(), "-c", properties.toString()}, new PrintStream(System.out, true));
            if (code != 0) {
                System.err.println("formatting " + logDir + " failed (exit " + code + ")");
                System.exit(code);
            }
        }
        kafka.Kafka.main(new String[] {properties.toString()});
    }
}
