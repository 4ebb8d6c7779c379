package io.requestflow.engine.net;

/**
 * sched_getattr(2) and sched_setattr(2) for the calling thread. The implementation,
 * {@code ForeignSchedulerCalls}, uses java.lang.foreign and is compiled for JDK 22+ (src/main/java22).
 */
interface SchedulerCalls {
    /** Sets the calling thread's sched_runtime, keeping its policy and nice value: null, or why it could not. */
    String setRuntime(long nanos);

    /** The calling thread's sched_runtime as sched_getattr reports it (for a fair thread, its slice), or -1. */
    long runtime();
}
