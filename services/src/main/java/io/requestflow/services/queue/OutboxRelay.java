package io.requestflow.services.queue;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.requestflow.engine.trace.Tracing;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The transactional outbox's other half: rows the orders service wrote in the same transaction as the
 * order are published to Kafka, oldest first, and marked published only once Kafka acknowledged them
 * all (acks=all, idempotent producer). Rows are claimed with {@code FOR UPDATE SKIP LOCKED}, so relays
 * in several processes share the work without sending a row twice at once. Delivery is at least once: a
 * crash between Kafka's acknowledgement and the commit sends a batch again, which is why each record
 * carries its outbox id for consumers to deduplicate.
 */
public final class OutboxRelay implements AutoCloseable {
    public static final String OUTBOX_ID = "outbox-id";
    public static final String EVENT_TYPE = "event-type";
    /** The W3C trace context, carried in a record header as in an HTTP one. */
    public static final String TRACEPARENT = "traceparent";
    private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);

    private final DataSource database;
    private final QueueConfig config;
    private final KafkaProducer<String, String> producer;
    private final Tracing tracing;
    private final Thread thread;
    private final Counter published;
    private final AtomicLong backlog = new AtomicLong(-1);
    private volatile boolean running = true;
    private volatile String lastError;

    public OutboxRelay(DataSource database, String bootstrap, QueueConfig config, MeterRegistry registry) {
        this(database, bootstrap, config, registry, null);
    }

    /** {@code tracing}: a PRODUCER span per event, continuing the trace of the request that wrote it (null: none). */
    public OutboxRelay(DataSource database, String bootstrap, QueueConfig config, MeterRegistry registry, Tracing tracing) {
        this.database = database;
        this.tracing = tracing;
        this.config = config;
        long send = config.sendTimeoutMs();
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.CLIENT_ID_CONFIG, "outbox-relay",
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(3_000, send / 2),
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) send,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, send), new StringSerializer(), new StringSerializer());
        this.published = Counter.builder("requestflow.queue.published")
                .description("Outbox rows published to Kafka").register(registry);
        Gauge.builder("requestflow.queue.outbox.backlog", backlog, AtomicLong::get)
                .description("Outbox rows not yet published (-1: unknown)").register(registry);
        this.thread = Thread.ofPlatform().name("outbox-relay").daemon().start(this::run);
    }

    /** Null while publishing works; otherwise why the last attempt failed. */
    public String lastError() {
        return lastError;
    }

    private void run() {
        int failures = 0;
        while (running) {
            try {
                int sent = publishBatch();
                failures = 0;
                lastError = null;
                if (sent < config.relayBatch()) pause(config.relayIntervalMs());
            } catch (Exception e) {
                if (!running) return;
                failures++;
                if (lastError == null) LOG.warn("outbox relay: publishing failed ({}); rows stay in the outbox and are retried", e.toString());
                lastError = e.toString();
                pause(config.backoffMs(failures, java.util.concurrent.ThreadLocalRandom.current()) + config.relayIntervalMs());
            }
        }
    }

    /** One transaction: claim up to a batch, send, wait for every acknowledgement, mark, commit. */
    int publishBatch() throws Exception {
        try (Connection c = database.getConnection()) {
            c.setAutoCommit(false);
            List<Span> spans = new ArrayList<>();
            try {
                List<Long> ids = new ArrayList<>();
                List<Future<RecordMetadata>> acks = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement("SELECT id, aggregate_id, event_type, payload::text, traceparent FROM outbox"
                        + " WHERE published_at IS NULL ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED")) {
                    ps.setInt(1, config.relayBatch());
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            long id = rs.getLong(1);
                            ProducerRecord<String, String> record = new ProducerRecord<>(config.topic(),
                                    Long.toString(rs.getLong(2)), rs.getString(4));
                            record.headers().add(OUTBOX_ID, Long.toString(id).getBytes(StandardCharsets.UTF_8));
                            record.headers().add(EVENT_TYPE, rs.getString(3).getBytes(StandardCharsets.UTF_8));
                            String traceparent = rs.getString(5);
                            if (tracing != null) {
                                Span span = tracing.startMessaging("queue publish " + rs.getString(3), traceparent, SpanKind.PRODUCER);
                                span.setAttribute("messaging.destination.name", config.topic());
                                spans.add(span);
                                traceparent = Tracing.traceparent(span);
                            }
                            if (traceparent != null) record.headers().add(TRACEPARENT, traceparent.getBytes(StandardCharsets.UTF_8));
                            acks.add(producer.send(record));
                            ids.add(id);
                        }
                    }
                }
                if (!ids.isEmpty()) {
                    producer.flush();
                    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.sendTimeoutMs());
                    for (Future<RecordMetadata> ack : acks) ack.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    // published: the spans end with Kafka's acknowledgement (a worker may already be handling them)
                    spans.forEach(Span::end);
                    spans.clear();
                    try (PreparedStatement ps = c.prepareStatement("UPDATE outbox SET published_at = now() WHERE id = ANY (?)")) {
                        ps.setArray(1, c.createArrayOf("bigint", ids.toArray()));
                        ps.executeUpdate();
                    }
                }
                try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM outbox WHERE published_at IS NULL");
                     ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    backlog.set(rs.getLong(1)); // this transaction sees its own marks
                }
                c.commit();
                published.increment(ids.size());
                return ids.size();
            } catch (Exception e) {
                rollback(c);
                for (Span span : spans) {
                    span.setStatus(io.opentelemetry.api.trace.StatusCode.ERROR, "not acknowledged: " + e);
                    span.end();
                }
                throw e;
            }
        }
    }

    private static void rollback(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is broken; closing it ends the transaction anyway
        }
    }

    private void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(java.time.Duration.ofSeconds(2));
    }
}
