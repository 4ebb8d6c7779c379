package io.requestflow.engine.net;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** {@link SchedulerCalls} through libc's syscall(2), found with the FFM API (the launcher grants native access). */
final class ForeignSchedulerCalls implements SchedulerCalls {
    /** struct sched_attr up to sched_period (SCHED_ATTR_SIZE_VER0, 48 bytes). */
    private static final StructLayout ATTR = MemoryLayout.structLayout(
            JAVA_INT.withName("size"), JAVA_INT.withName("policy"), JAVA_LONG.withName("flags"),
            JAVA_INT.withName("nice"), JAVA_INT.withName("priority"), JAVA_LONG.withName("runtime"),
            JAVA_LONG.withName("deadline"), JAVA_LONG.withName("period"));
    private static final VarHandle SIZE = field(ATTR, "size"), POLICY = field(ATTR, "policy"),
            RUNTIME = field(ATTR, "runtime");
    private static final VarHandle ERRNO = field(Linker.Option.captureStateLayout(), "errno");
    private static final int SCHED_OTHER = 0, SCHED_BATCH = 3;

    private final long setattr, getattr;
    private final MethodHandle set, get;

    /** {@code setattr}, {@code getattr}: the two system calls' numbers on this architecture. */
    ForeignSchedulerCalls(long setattr, long getattr) {
        this.setattr = setattr;
        this.getattr = getattr;
        Linker linker = Linker.nativeLinker();
        MemorySegment syscall = linker.defaultLookup().find("syscall")
                .orElseThrow(() -> new IllegalStateException("libc has no syscall()"));
        // long syscall(long number, ...): setattr(pid, attr, flags), getattr(pid, attr, size, flags); pid 0 = this thread
        set = linker.downcallHandle(syscall, FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT),
                Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno"));
        get = linker.downcallHandle(syscall, FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
                Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno"));
    }

    @Override
    public String setRuntime(long nanos) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(ATTR), errno = arena.allocate(Linker.Option.captureStateLayout());
            if (read(attr, errno) != 0) return "sched_getattr failed, errno " + (int) ERRNO.get(errno, 0L);
            int policy = (int) POLICY.get(attr, 0L);
            if (policy != SCHED_OTHER && policy != SCHED_BATCH) {
                return "the thread's policy (" + policy + ") is not SCHED_OTHER or SCHED_BATCH";
            }
            RUNTIME.set(attr, 0L, nanos); // the rest as read: policy, nice, flags
            long r = (long) set.invokeExact(errno, setattr, 0, attr, 0);
            return r == 0 ? null : "sched_setattr failed, errno " + (int) ERRNO.get(errno, 0L);
        } catch (Throwable e) {
            return "native call failed: " + e;
        }
    }

    @Override
    public long runtime() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(ATTR);
            return read(attr, arena.allocate(Linker.Option.captureStateLayout())) == 0 ? (long) RUNTIME.get(attr, 0L) : -1;
        } catch (Throwable e) {
            return -1;
        }
    }

    private long read(MemorySegment attr, MemorySegment errno) throws Throwable {
        attr.fill((byte) 0);
        SIZE.set(attr, 0L, (int) ATTR.byteSize());
        return (long) get.invokeExact(errno, getattr, 0, attr, (int) ATTR.byteSize(), 0);
    }

    private static VarHandle field(MemoryLayout layout, String name) {
        return layout.varHandle(MemoryLayout.PathElement.groupElement(name));
    }
}
