package io.requestflow.services.queue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.requestflow.data.DataTier;
import io.requestflow.data.EmbeddedKafkaServer;
import io.requestflow.data.KafkaConfig;
import io.requestflow.data.PostgresConfig;
import io.requestflow.data.RedisConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The queue against a real PostgreSQL and a real Kafka broker: outbox rows reach the topic and confirm
 * their orders; failures are retried with backoff, then dead-lettered; a broker outage loses nothing.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class QueueTest {
    @TempDir
    static Path dir;
    static DataTier data;
    static EmbeddedKafkaServer kafka;
    static QueueConfig config = new QueueConfig("shop.orders", "shop.orders.dlq", 50, 100, 5_000, "order-fulfilment", 3, 20, 200);
    static OutboxRelay relay;
    static EventWorker worker;

    @BeforeAll
    static void start() {
        data = DataTier.start(dir, PostgresConfig.embedded(0), RedisConfig.embedded(0), 20);
        kafka = EmbeddedKafkaServer.start(dir, KafkaConfig.embedded(0));
        relay = new OutboxRelay(data.dataSource(), kafka.bootstrap(), config, new SimpleMeterRegistry());
        worker = new EventWorker(kafka.bootstrap(), config, new OrderConfirmation(data.dataSource()), new SimpleMeterRegistry());
    }

    @AfterAll
    static void stop() {
        if (worker != null) worker.close();
        if (relay != null) relay.close();
        if (kafka != null) kafka.close();
        if (data != null) data.close();
    }

    /** An order as the orders service writes it: the order row and its outbox row in one transaction. */
    static long placeOrder(String payloadOverride) throws Exception {
        try (Connection c = data.dataSource().getConnection()) {
            c.setAutoCommit(false);
            long id;
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO orders (user_id, request_hash, status, total_cents)"
                    + " VALUES ('queue-test', 'h', 'placed', 100) RETURNING id");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                id = rs.getLong(1);
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO outbox (aggregate, aggregate_id, event_type, payload)"
                    + " VALUES ('order', ?, 'OrderPlaced', ?::jsonb)")) {
                ps.setLong(1, id);
                ps.setString(2, payloadOverride != null ? payloadOverride : "{\"orderId\":" + id + ",\"totalCents\":100}");
                ps.executeUpdate();
            }
            c.commit();
            return id;
        }
    }

    static String status(long orderId) {
        try (Connection c = data.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT status FROM orders WHERE id = ?")) {
            ps.setLong(1, orderId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static void until(BooleanSupplier condition, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) Thread.sleep(100);
        assertThat(condition.getAsBoolean()).isTrue();
    }

    static List<ConsumerRecord<String, String>> read(String topic, String group, int atLeast) {
        try (var consumer = new KafkaConsumer<String, String>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrap(), ConsumerConfig.GROUP_ID_CONFIG, group, ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            List<ConsumerRecord<String, String>> seen = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (seen.size() < atLeast && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(300)).forEach(seen::add);
            }
            return seen;
        }
    }

    static String header(ConsumerRecord<String, String> r, String name) {
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    @Test
    @Order(1)
    void aPlacedOrderIsPublishedOnceAndConfirmedByTheWorker() throws Exception {
        long id = placeOrder(null);
        assertThat(status(id)).isEqualTo("placed");
        until(() -> status(id).equals("confirmed"), 60);
        List<ConsumerRecord<String, String>> events = read(config.topic(), "audit-1", 1);
        assertThat(events).anySatisfy(r -> {
            assertThat(r.key()).isEqualTo(Long.toString(id));
            assertThat(header(r, OutboxRelay.EVENT_TYPE)).isEqualTo("OrderPlaced");
            assertThat(r.value()).contains("\"orderId\": " + id);
        });
        try (Connection c = data.dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM outbox WHERE published_at IS NULL");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            assertThat(rs.getLong(1)).isZero();
        }
    }

    @Test
    @Order(2)
    void anEventNoRetryCanHelpGoesStraightToTheDeadLetterTopicAndTheNextOneStillWorks() throws Exception {
        placeOrder("{\"note\":\"no order id here\"}");
        long good = placeOrder(null);
        until(() -> status(good).equals("confirmed"), 60);
        List<ConsumerRecord<String, String>> dead = read(config.deadLetterTopic(), "audit-2", 1);
        assertThat(dead).hasSize(1);
        assertThat(header(dead.getFirst(), EventWorker.DLQ_ERROR)).contains("without an orderId");
        assertThat(header(dead.getFirst(), EventWorker.DLQ_ATTEMPTS)).isEqualTo("1");
        assertThat(header(dead.getFirst(), EventWorker.DLQ_ORIGIN)).startsWith(config.topic() + "-");
    }

    @Test
    @Order(2)
    void failuresAreRetriedWithBackoffThenDeadLettered() throws Exception {
        QueueConfig own = new QueueConfig("retry.test", "retry.test.dlq", 50, 100, 5_000, "retry-test", 3, 20, 200);
        AtomicInteger calls = new AtomicInteger();
        EventHandler flaky = (type, key, payload) -> {
            int n = calls.incrementAndGet();
            if (key.equals("always") || n <= 2) throw new IllegalStateException("database busy (call " + n + ")");
        };
        try (EventWorker retrying = new EventWorker(kafka.bootstrap(), own, flaky, new SimpleMeterRegistry());
             var producer = new KafkaProducer<String, String>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap()),
                     new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>("retry.test", "twice", "{}")).get(30, TimeUnit.SECONDS);
            until(() -> calls.get() >= 3, 60);
            producer.send(new ProducerRecord<>("retry.test", "always", "{}")).get(30, TimeUnit.SECONDS);
            List<ConsumerRecord<String, String>> dead = read("retry.test.dlq", "audit-3", 1);
            assertThat(dead).hasSize(1);
            assertThat(dead.getFirst().key()).isEqualTo("always");
            assertThat(header(dead.getFirst(), EventWorker.DLQ_ATTEMPTS)).isEqualTo("3");
            assertThat(header(dead.getFirst(), EventWorker.DLQ_ERROR)).contains("database busy");
            // "twice": two failures, then handled; "always": three failures, then dead-lettered
            assertThat(calls.get()).isEqualTo(6);
        }
    }

    @Test
    @Order(3)
    void deadLettersAreListedWithWhyAndReplayedOnce() throws Exception {
        DeadLetters dead = new DeadLetters(kafka.bootstrap(), config);
        // the poison event of the test before: waiting, with its reason
        List<DeadLetters.Letter> waiting = dead.pending(10);
        assertThat(waiting).hasSize(1);
        assertThat(waiting.getFirst().error()).contains("without an orderId");
        assertThat(waiting.getFirst().eventType()).isEqualTo("OrderPlaced");
        assertThat(waiting.getFirst().attempts()).isEqualTo("1");

        // once the cause is fixed, the operator sends it back
        String firstOrigin = waiting.getFirst().origin();
        assertThat(dead.replay(10)).isEqualTo(1);
        // this event has no order id, so the worker dead-letters it again, at once: a new letter from the
        // replayed copy's place in the topic, while the first one is never listed or replayed again
        until(() -> dead.pending(10).size() == 1, 60);
        assertThat(dead.pending(10).getFirst().origin()).isNotEqualTo(firstOrigin);
    }

    @Test
    @Order(4)
    void aBrokerOutageLosesNoOrderTheRelayCatchesUpWhenItReturns() throws Exception {
        int port = kafka.port();
        kafka.close();
        long id = placeOrder(null);
        until(() -> relay.lastError() != null, 60);
        assertThat(status(id)).isEqualTo("placed");
        kafka = EmbeddedKafkaServer.start(dir, KafkaConfig.embedded(port));
        until(() -> status(id).equals("confirmed"), 120);
        assertThat(relay.lastError()).isNull();
    }
}
