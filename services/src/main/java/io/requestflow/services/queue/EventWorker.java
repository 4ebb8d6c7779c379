package io.requestflow.services.queue;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.requestflow.engine.trace.Tracing;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Consumes a topic in a consumer group and hands each event to its {@link EventHandler}. A failure is
 * retried up to {@code maxAttempts} times with exponential backoff and full jitter; an event that still
 * fails, or that the handler rejects outright, goes to the dead-letter topic with why, how often it was
 * tried and where it came from, so one bad event never blocks the ones behind it. Offsets are committed
 * after a batch is handled (at least once; handlers are idempotent).
 */
public final class EventWorker implements AutoCloseable {
    public static final String DLQ_ERROR = "dlq-error";
    public static final String DLQ_ATTEMPTS = "dlq-attempts";
    public static final String DLQ_ORIGIN = "dlq-origin";
    private static final Logger LOG = LoggerFactory.getLogger(EventWorker.class);

    private final QueueConfig config;
    private final EventHandler handler;
    private final KafkaConsumer<String, String> consumer;
    private final KafkaProducer<String, String> deadLetters;
    private final Tracing tracing;
    private final Thread thread;
    private final Counter handled;
    private final Counter retried;
    private final Counter deadLettered;
    private volatile boolean running = true;

    public EventWorker(String bootstrap, QueueConfig config, EventHandler handler, MeterRegistry registry) {
        this(bootstrap, config, handler, registry, null, null);
    }

    /**
     * @param tracing a CONSUMER span per event, continuing the trace it carries (null: none)
     * @param member  this instance's name as a static group member (null: dynamic): a restarted instance
     *                takes its partitions back at once instead of waiting out its old session
     */
    public EventWorker(String bootstrap, QueueConfig config, EventHandler handler, MeterRegistry registry, Tracing tracing,
                       String member) {
        this.config = config;
        this.tracing = tracing;
        this.handler = handler;
        Map<String, Object> settings = new HashMap<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, config.group(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 50,
                // a batch of 50 retried to the last attempt must still fit between two polls
                ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) Math.max(300_000, 50L * config.maxAttempts() * config.backoffMaxMs()),
                // a member that died without leaving holds its partitions this long
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000,
                ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 3_000));
        if (member != null) settings.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, member);
        this.consumer = new KafkaConsumer<>(settings, new StringDeserializer(), new StringDeserializer());
        this.deadLetters = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.CLIENT_ID_CONFIG, config.group() + "-dlq",
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.MAX_BLOCK_MS_CONFIG, config.sendTimeoutMs(),
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(3_000, config.sendTimeoutMs() / 2),
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) config.sendTimeoutMs()),
                new StringSerializer(), new StringSerializer());
        this.handled = counter(registry, "handled", "Events handled");
        this.retried = counter(registry, "retried", "Event handling attempts that failed and were retried");
        this.deadLettered = counter(registry, "dead.lettered", "Events sent to the dead-letter topic");
        this.thread = Thread.ofPlatform().name("worker-" + config.group()).daemon().start(this::run);
    }

    private static Counter counter(MeterRegistry registry, String name, String description) {
        return Counter.builder("requestflow.queue.events." + name).description(description).register(registry);
    }

    private void run() {
        try {
            consumer.subscribe(List.of(config.topic()));
            int stalls = 0;
            while (running) {
                boolean stalled;
                try {
                    stalled = pollOnce();
                } catch (WakeupException | org.apache.kafka.common.errors.InterruptException closing) {
                    return;
                } catch (RuntimeException e) {
                    // a commit that timed out or lost its partitions (Kafka away, a rebalance): the uncommitted
                    // events come again, and handlers are idempotent; the worker carries on
                    if (stalls == 0) LOG.warn("worker {}: {}; retrying", config.group(), e.toString());
                    stalled = true;
                }
                stalls = stalled ? stalls + 1 : 0;
                if (stalled) Thread.sleep(config.backoffMs(stalls, ThreadLocalRandom.current()));
            }
        } catch (InterruptedException closing) {
            Thread.currentThread().interrupt();
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    /** One poll, its events handled partition by partition, offsets committed; true when one could not be handled. */
    private boolean pollOnce() throws InterruptedException {
        ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(500));
        Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
        boolean stalled = false;
        for (TopicPartition partition : records.partitions()) {
            for (ConsumerRecord<String, String> record : records.records(partition)) {
                if (!running) break;
                if (!handle(record)) {
                    // neither handled nor dead-lettered: this partition resumes here after a pause
                    consumer.seek(partition, record.offset());
                    stalled = true;
                    break;
                }
                done.put(partition, new OffsetAndMetadata(record.offset() + 1));
            }
        }
        if (!done.isEmpty()) consumer.commitSync(done, Duration.ofMillis(config.sendTimeoutMs()));
        return stalled;
    }

    /** True when the event was handled or dead-lettered; false when neither (the dead-letter write failed). */
    private boolean handle(ConsumerRecord<String, String> record) throws InterruptedException {
        String type = header(record, OutboxRelay.EVENT_TYPE);
        if (tracing == null) return handle(record, type, null);
        Span span = tracing.startMessaging("queue process " + type, header(record, OutboxRelay.TRACEPARENT), SpanKind.CONSUMER);
        span.setAttribute("messaging.destination.name", record.topic());
        try {
            return handle(record, type, span);
        } finally {
            span.end();
        }
    }

    private boolean handle(ConsumerRecord<String, String> record, String type, Span span) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            if (span != null) span.setAttribute("requestflow.attempts", attempt);
            try {
                handler.handle(type, record.key(), record.value());
                handled.increment();
                return true;
            } catch (EventHandler.Rejected e) {
                if (span != null) span.setStatus(StatusCode.ERROR, "dead-lettered: " + e.getMessage());
                return deadLetter(record, e.getMessage(), attempt);
            } catch (Exception e) {
                if (attempt >= config.maxAttempts()) {
                    if (span != null) span.setStatus(StatusCode.ERROR, "dead-lettered: " + e);
                    return deadLetter(record, e.toString(), attempt);
                }
                retried.increment();
                long wait = config.backoffMs(attempt, ThreadLocalRandom.current());
                LOG.info("worker {}: {} at {}-{}@{} failed (attempt {} of {}: {}); retrying in {} ms", config.group(), type,
                        record.topic(), record.partition(), record.offset(), attempt, config.maxAttempts(), e, wait);
                if (!running) return false;
                Thread.sleep(wait);
            }
        }
    }

    private boolean deadLetter(ConsumerRecord<String, String> record, String error, int attempts) {
        ProducerRecord<String, String> dead = new ProducerRecord<>(config.deadLetterTopic(), record.key(), record.value());
        for (Header h : record.headers()) dead.headers().add(h);
        dead.headers().add(DLQ_ERROR, error.getBytes(StandardCharsets.UTF_8));
        dead.headers().add(DLQ_ATTEMPTS, Integer.toString(attempts).getBytes(StandardCharsets.UTF_8));
        dead.headers().add(DLQ_ORIGIN, (record.topic() + "-" + record.partition() + "@" + record.offset())
                .getBytes(StandardCharsets.UTF_8));
        try {
            deadLetters.send(dead).get(config.sendTimeoutMs(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            // without the dead-letter copy the event must not be skipped: it is handled again after a pause
            LOG.warn("worker {}: could not write to {} ({}); the event stays in {}", config.group(),
                    config.deadLetterTopic(), e.toString(), record.topic());
            return false;
        }
        deadLettered.increment();
        LOG.warn("worker {}: event at {}-{}@{} sent to {} after {} attempt(s): {}", config.group(), record.topic(),
                record.partition(), record.offset(), config.deadLetterTopic(), attempts, error);
        return true;
    }

    private static String header(ConsumerRecord<String, String> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deadLetters.close(Duration.ofSeconds(2));
    }
}
