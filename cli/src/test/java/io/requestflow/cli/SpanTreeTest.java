package io.requestflow.cli;

import io.requestflow.engine.http.Json;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** `./flow trace`: spans from several admin ports, each once, drawn under their parents in start order. */
class SpanTreeTest {
    static String span(String id, String parent, String service, String name, long startMs, double durMs) {
        return "{\"spanId\":\"" + id + "\",\"parentSpanId\":\"" + parent + "\",\"service\":\"" + service
                + "\",\"name\":\"" + name + "\",\"kind\":\"SERVER\",\"startEpochNanos\":" + startMs * 1_000_000
                + ",\"durationMs\":" + durMs + ",\"status\":\"UNSET\"}";
    }

    @Test
    void spansAreNestedUnderTheirParentsAndTheQueueWorkAfterTheAnswerShows() {
        var fromEdge = Json.tree(("[" + span("a1", "0000000000000000", "edge", "edge POST", 1000, 20) + ","
                + span("b2", "a1", "orders", "orders POST", 1005, 10) + "]").getBytes(StandardCharsets.UTF_8));
        var fromQueue = Json.tree(("[" + span("c3", "b2", "queue", "queue publish OrderPlaced", 1100, 5) + ","
                + span("d4", "c3", "queue", "queue process OrderPlaced", 1110, 8) + ","
                + span("b2", "a1", "orders", "orders POST", 1005, 10) + "]").getBytes(StandardCharsets.UTF_8));
        List<SpanTree.Span> spans = SpanTree.merge(List.of(fromEdge, fromQueue));
        assertThat(spans).hasSize(4);

        List<String> lines = SpanTree.render(spans, 20);
        assertThat(lines).hasSize(5);
        assertThat(lines.get(1)).startsWith("edge POST (edge)").contains(" 0.00 ");
        assertThat(lines.get(2)).startsWith("  orders POST (orders)").contains(" 5.00 ");
        assertThat(lines.get(3)).startsWith("    queue publish OrderPlaced (queue)").contains("100.0");
        assertThat(lines.get(4)).startsWith("      queue process OrderPlaced (queue)").contains("110.0");
        // the last span ends the time line: its bar reaches the right edge
        assertThat(lines.get(4)).contains("#|");
    }

    @Test
    void aSpanWhoseParentWasNotFoundStartsItsOwnRoot() {
        var only = Json.tree(("[" + span("x9", "ffffffffffffffff", "catalog", "catalog GET", 5, 1) + "]")
                .getBytes(StandardCharsets.UTF_8));
        List<String> lines = SpanTree.render(SpanTree.merge(List.of(only)), 10);
        assertThat(lines.get(1)).startsWith("catalog GET (catalog)");
    }
}
