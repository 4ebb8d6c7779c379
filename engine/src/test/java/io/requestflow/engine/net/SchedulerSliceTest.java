package io.requestflow.engine.net;

import io.netty.channel.EventLoopGroup;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** eventLoops.sliceMicros: loop threads carry the slice where the kernel supports it; elsewhere nothing breaks. */
class SchedulerSliceTest {

    /** Runs a task on the group's loop and returns the slice that loop thread reports, in nanoseconds. */
    private static long sliceOnLoop(EventLoopGroup group) throws Exception {
        try {
            return group.next().submit(() -> SchedulerSlice.platform().currentThreadSliceNanos()).get(5, TimeUnit.SECONDS);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    /** A custom slice takes on Linux 6.12+ (EEVDF), where it needs no privilege. */
    private static boolean kernelTakesSlices() {
        if (SchedulerSlice.platform().unavailableReason() != null) return false;
        String[] v = System.getProperty("os.version").split("[.-]");
        int major = Integer.parseInt(v[0]), minor = Integer.parseInt(v[1]);
        return major > 6 || major == 6 && minor >= 12;
    }

    @Test
    void loopThreadsRunWithTheConfiguredSlice() throws Exception {
        assumeTrue(kernelTakesSlices(), "needs Linux 6.12+ on x86_64 or arm64");
        assertThat(sliceOnLoop(Transport.newGroup("slice-test", 1, 300))).isEqualTo(300_000);
        assertThat(sliceOnLoop(Transport.newGroup("slice-test", 1, 1000))).isEqualTo(1_000_000);
    }

    @Test
    void withoutASliceLoopThreadsKeepTheKernelDefault() throws Exception {
        long plain = SchedulerSlice.platform().currentThreadSliceNanos(); // a thread nobody changed
        assertThat(sliceOnLoop(Transport.newGroup("slice-test", 1, 0))).isEqualTo(plain);
    }

    @Test
    void anotherPlatformExplainsWhyAndChangesNothing() {
        SchedulerSlice elsewhere = SchedulerSlice.forPlatform("Mac OS X", "aarch64");
        assertThat(elsewhere.unavailableReason()).contains("Linux-only");
        assertThat(elsewhere.applyToCurrentThread(300)).isEqualTo(-1);
        assertThat(SchedulerSlice.forPlatform("Linux", "riscv64").unavailableReason()).contains("riscv64");
    }

    @Test
    void aLoopWhoseSliceCannotBeSetStillRunsItsWork() throws Exception {
        // on a kernel without custom slices (or another OS) the loop thread starts and serves as before
        assertThat(Transport.newGroup("slice-test", 1, 300).next().submit(() -> "ran").get(5, TimeUnit.SECONDS))
                .isEqualTo("ran");
    }

    @Test
    void valuesOutsideTheKernelsBoundsAreRejectedByName() {
        assertThatThrownBy(() -> Transport.newGroup("slice-test", 1, 50)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("eventLoops.sliceMicros").hasMessageContaining("100-100000");
        assertThatThrownBy(() -> SchedulerSlice.validate(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SchedulerSlice.validate(200_000)).isInstanceOf(IllegalArgumentException.class);
    }
}
