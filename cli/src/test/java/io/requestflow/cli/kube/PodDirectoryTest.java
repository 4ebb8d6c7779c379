package io.requestflow.cli.kube;

import io.requestflow.console.PathDirectory;
import io.requestflow.topology.Topology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Names that do not resolve (or not in time) leave each role on the page as one instance that is down. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PodDirectoryTest {
    @Test
    void aRoleWhoseNameDoesNotResolveIsOneInstanceAtItsServiceNameAndTheLookOnlyWaitsTheTimeout() {
        Topology t = new Topology();
        try (PodDirectory pods = new PodDirectory(t, "nowhere.invalid", 300)) {
            for (int look = 0; look < 3; look++) { // later looks too, while earlier lookups may still hang
                long started = System.nanoTime();
                List<PathDirectory.Instance> all = pods.instances();
                long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                assertThat(all).extracting(PathDirectory.Instance::role).containsExactlyElementsOf(Manifests.adminPorts(t).keySet());
                for (PathDirectory.Instance i : all) {
                    assertThat(i.name()).isEqualTo(i.role());
                    assertThat(i.admin().host()).isEqualTo(i.role() + "-admin.nowhere.invalid");
                    assertThat(i.admin().port()).isEqualTo(Manifests.adminPorts(t).get(i.role()));
                }
                assertThat(tookMs).as("bounded by the admin timeout, not the resolver's").isLessThan(5_000);
            }
            assertThat(pods.dataAdmin()).as("no embedded stores on a cluster").isNull();
            long started = System.nanoTime();
            assertThat(pods.dns().isUnresolved()).as("the dns Service's name, left unresolved").isTrue();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(5_000);
        }
    }
}
