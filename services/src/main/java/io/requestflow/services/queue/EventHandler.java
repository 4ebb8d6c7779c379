package io.requestflow.services.queue;

/** What a worker does with one event; throwing means "try again later", {@link Rejected} means "never". */
@FunctionalInterface
public interface EventHandler {
    void handle(String eventType, String key, String payload) throws Exception;

    /** An event no retry can help (unknown type, unreadable payload): straight to the dead-letter topic. */
    final class Rejected extends Exception {
        public Rejected(String message) {
            super(message);
        }
    }
}
