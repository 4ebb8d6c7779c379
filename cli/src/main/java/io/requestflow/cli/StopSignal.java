package io.requestflow.cli;

import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Keeps a long-running command (up, serve) alive until Ctrl-C or SIGTERM, then stops it in order.
 *
 * <p>Why not only a shutdown hook: the embedded PostgreSQL and Redis libraries register hooks of their own,
 * and the JVM runs all hooks at once, so the databases went away while the hops were still draining
 * in-flight requests. Handling the signal ourselves runs the orderly stop (front to back, data last)
 * before the JVM starts its shutdown. A second signal exits at once. A shutdown hook remains for other
 * ways out (System.exit elsewhere, SIGHUP) and does nothing when the stop already ran.
 */
final class StopSignal {
    private StopSignal() {}

    /** Blocks until a stop signal arrived and {@code stop} finished. */
    static void awaitThenStop(Runnable stop) throws InterruptedException {
        AtomicBoolean stopping = new AtomicBoolean();
        CountDownLatch stopped = new CountDownLatch(1);
        Runnable once = () -> {
            if (stopping.compareAndSet(false, true)) {
                try {
                    stop.run();
                } finally {
                    stopped.countDown();
                }
            }
        };
        SignalHandler handler = signal -> {
            if (stopping.get()) {
                System.err.println("\nrequestflow: second " + signal.getName() + ", exiting without waiting");
                // exit from another thread: exit runs the hooks, which would wait for this handler thread.
                Thread.ofPlatform().start(() -> System.exit(130));
            } else {
                Thread.ofPlatform().name("requestflow-stop").start(once);
            }
        };
        install("INT", handler);
        install("TERM", handler);
        Runtime.getRuntime().addShutdownHook(new Thread(once, "requestflow-shutdown"));
        stopped.await();
    }

    private static void install(String name, SignalHandler handler) {
        Signal signal = new Signal(name);
        SignalHandler previous = Signal.handle(signal, handler);
        // A shell starts background jobs with SIGINT ignored; keep it that way, as the JVM itself does.
        if (previous == SignalHandler.SIG_IGN) Signal.handle(signal, SignalHandler.SIG_IGN);
    }
}
