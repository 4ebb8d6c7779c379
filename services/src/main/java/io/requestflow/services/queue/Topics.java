package io.requestflow.services.queue;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Creates the queue's topics when they are missing, so a cluster with automatic topic creation off works
 * too. Best effort: when Kafka is not reachable yet, the relay's and the worker's own retries carry on.
 */
public final class Topics {
    private static final Logger LOG = LoggerFactory.getLogger(Topics.class);

    private Topics() {}

    public static void ensure(String bootstrap, QueueConfig config, int partitions, long timeoutMs) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeoutMs,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeoutMs, 3_000)))) {
            for (String name : List.of(config.topic(), config.deadLetterTopic())) {
                try {
                    admin.createTopics(List.of(new NewTopic(name, partitions, (short) -1))).all()
                            .get(timeoutMs, TimeUnit.MILLISECONDS);
                    LOG.info("created topic {} ({} partitions)", name, partitions);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) throw e;
                }
            }
        } catch (Exception e) {
            LOG.warn("could not make sure the topics {} and {} exist at {} ({}); relaying retries by itself",
                    config.topic(), config.deadLetterTopic(), bootstrap, e.toString());
        }
    }
}
