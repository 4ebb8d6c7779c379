package io.requestflow.cli;

/** Whether a long-running command (up, serve) is holding the process open after {@code call()} returns. */
final class UpCommandState {
    private static volatile boolean running;

    private UpCommandState() {}

    static void markRunning() {
        running = true;
    }

    static boolean running() {
        return running;
    }
}
