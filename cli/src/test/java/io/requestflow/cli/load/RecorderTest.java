package io.requestflow.cli.load;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RecorderTest {
    static Outcome answered(String endpoint, String serverTiming) {
        Workload.Planned planned = new Workload.Planned(0, endpoint, "GET", "/", null, false, 0, false, null);
        return new Outcome(planned, 1_000, 2_000_000, 200, null, null, serverTiming, null, 0, "h1");
    }

    @Test
    void aServiceThatIsAHopOnItsRouteAndACallOfThePageGetsTwoRows() {
        Recorder recorder = new Recorder(List.of("product-page", "add-review"), 0);
        recorder.record(answered("product-page", "edge;dur=3, gateway;dur=2;desc=\"page\", page;dur=1.5,"
                + " reviews;dur=0.7;desc=\"200\";by=page, product;dur=0.5;desc=\"200\";by=page"), "local");
        recorder.record(answered("add-review", "edge;dur=3, gateway;dur=2;desc=\"reviews\", reviews;dur=1.2"), "local");
        Recorder.Snapshot s = recorder.snapshot();
        assertThat(s.hopIsCall()).containsEntry("reviews", true).containsEntry("reviews (hop)", false)
                .containsEntry("product", true).containsEntry("page", false);
        assertThat(s.hops().get("reviews").getTotalCount()).as("the page's call").isEqualTo(1);
        assertThat(s.hops().get("reviews (hop)").getTotalCount()).as("the review route's hop").isEqualTo(1);
    }
}
