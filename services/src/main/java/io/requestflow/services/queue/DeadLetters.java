package io.requestflow.services.queue;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * What an operator does with the dead-letter topic: see the events still waiting there (why each failed,
 * how often, where it came from) and send them back to the topic once the cause is fixed. Progress is
 * the offsets of a consumer group of its own ({@code <group>-replay}), so an event is replayed once; a
 * replayed event that fails again comes back to the dead-letter topic as a new one.
 */
public final class DeadLetters {
    /** One waiting event, as the worker dead-lettered it. */
    public record Letter(String key, String eventType, String error, String attempts, String origin, String payload) {}

    private final String bootstrap;
    private final QueueConfig config;

    public DeadLetters(String bootstrap, QueueConfig config) {
        this.bootstrap = bootstrap;
        this.config = config;
    }

    /** Up to {@code max} events not replayed yet, oldest first per partition. */
    public synchronized List<Letter> pending(int max) {
        List<Letter> letters = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = consumer()) {
            read(consumer, max, record -> letters.add(letter(record)));
        }
        return letters;
    }

    /** Sends up to {@code max} waiting events back to the topic; returns how many went. */
    public synchronized int replay(int max) throws Exception {
        int sent = 0;
        try (KafkaConsumer<String, String> consumer = consumer();
             KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all",
                     ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.MAX_BLOCK_MS_CONFIG, config.sendTimeoutMs()),
                     new StringSerializer(), new StringSerializer())) {
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            read(consumer, max, records::add);
            Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
            for (ConsumerRecord<String, String> record : records) {
                ProducerRecord<String, String> again = new ProducerRecord<>(config.topic(), record.key(), record.value());
                for (Header h : record.headers()) {
                    if (!h.key().startsWith("dlq-")) again.headers().add(h); // it starts over: a fresh set of attempts
                }
                producer.send(again).get(config.sendTimeoutMs(), TimeUnit.MILLISECONDS);
                done.put(new TopicPartition(record.topic(), record.partition()), new OffsetAndMetadata(record.offset() + 1));
                sent++;
            }
            if (!done.isEmpty()) consumer.commitSync(done, Duration.ofMillis(config.sendTimeoutMs()));
        }
        return sent;
    }

    private KafkaConsumer<String, String> consumer() {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, config.group() + "-replay",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) config.sendTimeoutMs(),
                ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(3_000, config.sendTimeoutMs())),
                new StringDeserializer(), new StringDeserializer());
    }

    /** From the replay group's position (the start when it has none) to the end, at most {@code max} records. */
    private void read(KafkaConsumer<String, String> consumer, int max,
                      java.util.function.Consumer<ConsumerRecord<String, String>> sink) {
        List<PartitionInfo> partitions = consumer.partitionsFor(config.deadLetterTopic(), Duration.ofMillis(config.sendTimeoutMs()));
        if (partitions == null || partitions.isEmpty()) return;
        List<TopicPartition> all = partitions.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(all);
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.copyOf(all));
        Map<TopicPartition, Long> ends = consumer.endOffsets(all);
        Map<TopicPartition, Long> begins = consumer.beginningOffsets(all);
        Map<TopicPartition, Long> remaining = new HashMap<>();
        for (TopicPartition tp : all) {
            OffsetAndMetadata at = committed.get(tp);
            long from = Math.max(at == null ? 0 : at.offset(), begins.get(tp));
            consumer.seek(tp, from);
            if (ends.get(tp) > from) remaining.put(tp, ends.get(tp));
        }
        int taken = 0;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.sendTimeoutMs());
        while (!remaining.isEmpty() && taken < max && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                Long end = remaining.get(tp);
                if (end == null || record.offset() >= end || taken >= max) continue;
                sink.accept(record);
                taken++;
                if (record.offset() + 1 >= end) remaining.remove(tp);
            }
        }
    }

    private static Letter letter(ConsumerRecord<String, String> r) {
        return new Letter(r.key(), header(r, OutboxRelay.EVENT_TYPE), header(r, EventWorker.DLQ_ERROR),
                header(r, EventWorker.DLQ_ATTEMPTS), header(r, EventWorker.DLQ_ORIGIN), r.value());
    }

    private static String header(ConsumerRecord<String, String> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
