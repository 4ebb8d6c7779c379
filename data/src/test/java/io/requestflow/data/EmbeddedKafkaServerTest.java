package io.requestflow.data;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The embedded broker speaks Kafka on its port, keeps what it was given across a restart, and stops. */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class EmbeddedKafkaServerTest {
    @TempDir
    Path dir;

    @Test
    void aRecordProducedBeforeARestartIsConsumedAfterIt() throws Exception {
        int port;
        try (EmbeddedKafkaServer kafka = EmbeddedKafkaServer.start(dir, KafkaConfig.embedded(0))) {
            port = kafka.port();
            try (var producer = new KafkaProducer<String, String>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap(), ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000), new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>("greetings", "k", "hello")).get(30, TimeUnit.SECONDS);
            }
        }
        assertThat(LoopbackPorts.isFree(port)).as("stopped: the port is free again").isTrue();
        try (EmbeddedKafkaServer kafka = EmbeddedKafkaServer.start(dir, KafkaConfig.embedded(port))) {
            try (var consumer = new KafkaConsumer<String, String>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap(), ConsumerConfig.GROUP_ID_CONFIG, "test",
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer())) {
                consumer.subscribe(List.of("greetings"));
                List<String> seen = new ArrayList<>();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (seen.isEmpty() && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) seen.add(r.value());
                }
                assertThat(seen).containsExactly("hello");
            }
        }
    }
}
