package io.requestflow.data;

/** An embedded server a fault drill may stop and start again on the same port ({@code ./flow break}). */
public interface Restartable {
    boolean running();

    /** Stops it; a no-op when it is stopped already. */
    void stop();

    /** Starts it again on its port; a no-op when it runs. */
    void start();
}
