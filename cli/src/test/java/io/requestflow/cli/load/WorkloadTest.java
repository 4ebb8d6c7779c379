package io.requestflow.cli.load;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Two runs with one seed send the same requests, but never the same idempotency keys. */
class WorkloadTest {
    @Test
    void aRepeatedRunRepeatsTheRequestsWithKeysOfItsOwn() {
        Scenario s = Scenario.defaults();
        s.endpoints = List.of(new Scenario.Endpoint("order", 1, "POST", "/orders/{product}",
                "{\"key\":\"{key}\",\"product\":{product}}", false));
        Workload first = new Workload(s);
        Workload second = new Workload(s);
        List<String> paths = new ArrayList<>();
        List<String> pathsAgain = new ArrayList<>();
        Set<String> bodies = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            Workload.Planned a = first.next();
            Workload.Planned b = second.next();
            paths.add(a.path());
            pathsAgain.add(b.path());
            bodies.add(new String(a.body(), StandardCharsets.UTF_8));
            bodies.add(new String(b.body(), StandardCharsets.UTF_8));
        }
        assertThat(pathsAgain).as("the seed decides the requests").isEqualTo(paths);
        assertThat(bodies).as("every key differs, across runs too").hasSize(400);
        assertThat(Workload.keyPrefix(42)).startsWith("load-42-").isNotEqualTo(Workload.keyPrefix(42));
    }
}
