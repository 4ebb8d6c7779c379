package io.requestflow.engine.os;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Lowers the scheduling priority (raises the nice value) of the calling thread on Linux. Java's own thread
 * priorities do nothing there, and CPU-heavy work beside a latency-sensitive path (password hashing beside
 * event loops) should lose the processor to it rather than share it evenly. A Linux thread has its own
 * nice value, set on its thread id, here with util-linux's {@code renice} (the JDK 21 the build targets
 * has no stable way to call {@code setpriority} itself). Lowering is always allowed, raising back is not
 * (without {@code CAP_SYS_NICE}), so only threads that keep the lower priority for life should call this.
 */
public final class ThreadNice {
    private static final Logger LOG = LoggerFactory.getLogger(ThreadNice.class);
    private static final Path THREAD_SELF = Path.of("/proc/thread-self");

    private ThreadNice() {}

    /** Sets the calling thread's nice value to {@code nice} (1..19); false where it cannot (not Linux, no renice). */
    public static boolean lowerCurrentThread(int nice) {
        if (nice < 1 || nice > 19) throw new IllegalArgumentException("nice must be 1..19, got " + nice);
        String tid = threadId();
        if (tid == null) return false;
        try {
            // the positional priority is absolute in every renice; -n became an increment in newer ones
            Process renice = new ProcessBuilder("renice", String.valueOf(nice), "-p", tid)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!renice.waitFor(2, TimeUnit.SECONDS)) {
                renice.destroyForcibly();
                return false;
            }
        } catch (IOException e) {
            LOG.debug("thread priorities: cannot run renice ({})", e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        Integer now = currentThreadNice();
        return now != null && now == nice;
    }

    /** The calling thread's nice value as the kernel reports it, or null where it cannot be read. */
    public static Integer currentThreadNice() {
        try {
            String stat = Files.readString(THREAD_SELF.resolve("stat"));
            // the fields after the command name (which may hold spaces) start after the last ')'
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Integer.parseInt(fields[16]); // field 19 of stat: nice
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** "PID/task/TID" names the calling thread's id last. */
    private static String threadId() {
        try {
            return Files.readSymbolicLink(THREAD_SELF).getFileName().toString();
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }
}
