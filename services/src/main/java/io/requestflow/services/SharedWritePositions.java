package io.requestflow.services;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.ObjLongConsumer;

/**
 * Read-your-own-writes across instances and services: when a client's write commits, its WAL position
 * goes out on a Redis channel, and every {@link ReplicaRouter} listening remembers it, so that client's
 * next read avoids replicas that have not replayed that far, whichever instance or service serves it.
 * The window left is one pub/sub delivery (the write's response is sent after the publish); while Redis
 * is unreachable, each instance knows only its own clients' writes.
 */
public final class SharedWritePositions {
    public static final String CHANNEL = "requestflow:reads:wrote";
    private static final Logger LOG = LoggerFactory.getLogger(SharedWritePositions.class);

    private final RedisCache redis;

    public SharedWritePositions(RedisCache redis) {
        this.redis = redis;
    }

    /** Tells every listener that {@code user} wrote up to {@code lsn}; false if Redis did not take it. */
    public boolean publish(String user, long lsn) {
        return redis.publish(CHANNEL, lsn + " " + user);
    }

    /** Starts delivering other writers' positions to {@code onWrite(user, lsn)}; false if Redis is not there yet. */
    public boolean listen(ObjLongConsumer<String> onWrite) {
        return redis.subscribe(CHANNEL, message -> {
            int space = message.indexOf(' ');
            try {
                if (space > 0 && space < message.length() - 1) {
                    onWrite.accept(message.substring(space + 1), Long.parseLong(message.substring(0, space)));
                    return;
                }
            } catch (NumberFormatException e) {
                // fall through: not one of ours
            }
            LOG.debug("ignoring a malformed write position on {}: {}", CHANNEL, message);
        }, () -> {});
    }
}
