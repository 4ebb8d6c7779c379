package io.requestflow.engine.net;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Asks Linux's scheduler for a custom time slice for the calling thread ({@code eventLoops.sliceMicros}).
 * Since Linux 6.12 (EEVDF) a SCHED_OTHER thread may set {@code sched_attr.sched_runtime} through
 * sched_setattr(2), without privilege; the kernel clamps it to 0.1–100 ms. A shorter slice gives the thread
 * an earlier virtual deadline, so when it wakes (an event loop whose socket became readable) it is picked
 * sooner; its share of the CPU stays the same. Elsewhere (another OS or architecture, a JDK before 22, a
 * kernel before 6.12, which accepts the call and ignores the value) nothing changes, and one log line says why.
 */
public final class SchedulerSlice {
    private static final Logger LOG = LoggerFactory.getLogger(SchedulerSlice.class);
    /** The kernel's bounds for a custom slice (sched_setattr(2)); 0 keeps the kernel's default. */
    public static final long MIN_MICROS = 100, MAX_MICROS = 100_000;
    private static final SchedulerSlice PLATFORM = forPlatform(System.getProperty("os.name"), System.getProperty("os.arch"));

    private final SchedulerCalls calls;
    private final String unavailable;
    private final AtomicBoolean reported = new AtomicBoolean();

    private SchedulerSlice(SchedulerCalls calls, String unavailable) {
        this.calls = calls;
        this.unavailable = unavailable;
    }

    /** This process's platform. */
    public static SchedulerSlice platform() {
        return PLATFORM;
    }

    /** The system calls for {@code os}/{@code arch}, or an instance that explains why there are none. */
    static SchedulerSlice forPlatform(String os, String arch) {
        if (os == null || !os.toLowerCase(Locale.ROOT).equals("linux")) {
            return new SchedulerSlice(null, "sched_setattr is Linux-only (os.name " + os + ")");
        }
        long set, get; // x86_64 has its own system call table, arm64 the generic one
        switch (String.valueOf(arch)) {
            case "amd64", "x86_64" -> { set = 314; get = 315; }
            case "aarch64" -> { set = 274; get = 275; }
            default -> { return new SchedulerSlice(null, "no sched_setattr number known for os.arch " + arch); }
        }
        try {
            SchedulerCalls calls = (SchedulerCalls) Class.forName(SchedulerSlice.class.getPackageName() + ".ForeignSchedulerCalls")
                    .getDeclaredConstructor(long.class, long.class).newInstance(set, get);
            return new SchedulerSlice(calls, null);
        } catch (UnsupportedClassVersionError e) {
            return new SchedulerSlice(null, "needs JDK 22 or later (java.lang.foreign), running " + Runtime.version());
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) { // no native access, no syscall()
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            return new SchedulerSlice(null, "native call not available: " + cause);
        }
    }

    /** Why this platform cannot set a slice, or null when it can try. */
    public String unavailableReason() {
        return unavailable;
    }

    /** Checks a configured value: 0 (the kernel's default) or within the kernel's bounds. */
    public static long validate(long micros) {
        if (micros != 0 && (micros < MIN_MICROS || micros > MAX_MICROS)) {
            throw new IllegalArgumentException("eventLoops.sliceMicros must be 0 (the kernel's default) or "
                    + MIN_MICROS + "-" + MAX_MICROS + " (the kernel's bounds for a custom slice), was " + micros);
        }
        return micros;
    }

    /**
     * Asks for a {@code micros} slice for the calling thread. Returns the slice the kernel reports afterwards in
     * nanoseconds, or -1 when none took; the first outcome is logged, once (per process for {@link #platform()}).
     */
    public long applyToCurrentThread(long micros) {
        validate(micros);
        if (micros == 0) return 0;
        String failure = unavailable != null ? unavailable : calls.setRuntime(micros * 1000);
        long granted = failure == null ? calls.runtime() : -1;
        // before 6.12 the kernel accepts sched_runtime for SCHED_OTHER and reports 0 back
        if (failure == null && granted != micros * 1000) {
            failure = "the kernel reports a slice of " + granted + " ns back (Linux before 6.12 ignores sched_runtime for SCHED_OTHER)";
            granted = -1;
        }
        if (reported.compareAndSet(false, true)) {
            if (failure == null) {
                LOG.info("eventLoops.sliceMicros={}: event-loop threads run with a {} µs scheduler slice", micros, micros);
            } else {
                LOG.info("eventLoops.sliceMicros={} not applied, event loops keep the kernel's default slice: {}", micros, failure);
            }
        }
        return granted;
    }

    /** The calling thread's slice in nanoseconds as the kernel reports it (0 on kernels before 6.12), or -1 if unknown. */
    public long currentThreadSliceNanos() {
        return calls == null ? -1 : calls.runtime();
    }
}
