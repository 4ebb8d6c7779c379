package io.requestflow.services.queue;

/**
 * The queue role: the outbox relay and the order-events worker.
 *
 * @param topic             where order events go (key: the order id, so one order's events stay in order)
 * @param deadLetterTopic   where an event goes after it failed {@code maxAttempts} times, or could never work
 * @param relayIntervalMs   how often the relay looks for unpublished outbox rows when there were none
 * @param relayBatch        outbox rows published per transaction
 * @param sendTimeoutMs     a batch not acknowledged by Kafka within this is rolled back and tried again
 * @param group             the worker's consumer group
 * @param maxAttempts       tries per event before the dead-letter topic
 * @param backoffBaseMs     retry n waits a random time up to {@code backoffBaseMs * 2^(n-1)}...
 * @param backoffMaxMs      ...capped here (full jitter)
 */
public record QueueConfig(String topic, String deadLetterTopic, long relayIntervalMs, int relayBatch, long sendTimeoutMs,
                          String group, int maxAttempts, long backoffBaseMs, long backoffMaxMs) {

    public static QueueConfig defaults() {
        return new QueueConfig("shop.orders", "shop.orders.dlq", 200, 100, 10_000, "order-fulfilment", 5, 200, 5_000);
    }

    public QueueConfig {
        if (relayIntervalMs < 10) throw new IllegalArgumentException("queue.relayIntervalMs must be >= 10");
        if (relayBatch < 1 || relayBatch > 10_000) throw new IllegalArgumentException("queue.relayBatch must be 1..10000");
        if (sendTimeoutMs < 1_000) throw new IllegalArgumentException("queue.sendTimeoutMs must be >= 1000");
        if (maxAttempts < 1) throw new IllegalArgumentException("queue.maxAttempts must be >= 1");
        if (backoffBaseMs < 1 || backoffMaxMs < backoffBaseMs) {
            throw new IllegalArgumentException("queue.backoffBaseMs must be >= 1 and <= queue.backoffMaxMs");
        }
        if (topic == null || topic.isBlank() || deadLetterTopic == null || deadLetterTopic.isBlank() || topic.equals(deadLetterTopic)) {
            throw new IllegalArgumentException("queue.topic and queue.deadLetterTopic must be two different names");
        }
    }

    /** Full jitter: a random delay in [0, min(max, base * 2^(attempt-1))] before retry {@code attempt}. */
    long backoffMs(int attempt, java.util.random.RandomGenerator random) {
        long ceiling = Math.min(backoffMaxMs, backoffBaseMs << Math.min(20, Math.max(0, attempt - 1)));
        return random.nextLong(ceiling + 1);
    }
}
