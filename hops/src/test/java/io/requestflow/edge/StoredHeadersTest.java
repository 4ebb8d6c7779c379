package io.requestflow.edge;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A hit's headers over a shared stored block: reads, replaces and removals as a header map would do them. */
class StoredHeadersTest {
    private static StoredHeaders.Block block() {
        HttpHeaders stored = new DefaultHttpHeaders();
        stored.add("Content-Type", "application/json").add("ETag", "\"e\"").add("Vary", "accept-encoding")
                .add("X-Multi", "1").add("X-Multi", "2");
        return new StoredHeaders.Block(stored);
    }

    @Test
    void readsTheStoredFieldsCaseInsensitively() {
        StoredHeaders h = new StoredHeaders(block());
        assertThat(h.get("etag")).isEqualTo("\"e\"");
        assertThat(h.get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("application/json");
        assertThat(h.getAll("x-multi")).containsExactly("1", "2");
        assertThat(h.contains("vary")).isTrue();
        assertThat(h.contains("age")).isFalse();
        assertThat(h.getAll("transfer-encoding")).isEmpty();
        assertThat(h.size()).isEqualTo(5);
    }

    @Test
    void aHitsChangesHideWhatTheyReplaceAndLeaveTheBlockAlone() {
        StoredHeaders.Block shared = block();
        StoredHeaders h = new StoredHeaders(shared);
        h.set("etag", "W/\"e\"").set("age", "3").add("x-multi", "3").remove("vary").setInt("content-length", 12);
        assertThat(h.get("etag")).isEqualTo("W/\"e\"");
        assertThat(h.getAll("x-multi")).containsExactly("1", "2", "3");
        assertThat(h.contains("vary")).isFalse();
        assertThat(h.getInt("content-length")).isEqualTo(12);
        List<String> lines = new ArrayList<>();
        for (var it = h.iteratorCharSequence(); it.hasNext(); ) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            lines.add(e.getKey().toString().toLowerCase() + ": " + e.getValue());
        }
        assertThat(lines).containsExactly("content-type: application/json", "x-multi: 1", "x-multi: 2",
                "etag: W/\"e\"", "age: 3", "x-multi: 3", "content-length: 12");
        assertThat(h.size()).isEqualTo(lines.size());
        assertThat(h.names()).contains("age", "X-Multi");
        // another hit on the same block sees the stored fields untouched
        StoredHeaders other = new StoredHeaders(shared);
        assertThat(other.get("etag")).isEqualTo("\"e\"");
        assertThat(other.contains("vary")).isTrue();
        assertThat(other.contains("age")).isFalse();
    }

    @Test
    void settingTheLengthItAlreadyHasAddsNothingAndCopiesAreIndependent() {
        StoredHeaders h = new StoredHeaders(block());
        h.set(HttpHeaderNames.CONTENT_LENGTH, io.netty.util.AsciiString.of("42"));
        h.setInt(HttpHeaderNames.CONTENT_LENGTH, 42);
        assertThat(h.getAll("content-length")).containsExactly("42");
        HttpHeaders copy = h.copy();
        copy.remove("etag");
        assertThat(h.get("etag")).isEqualTo("\"e\"");
        h.clear();
        assertThat(h.isEmpty()).isTrue();
        assertThat(h.iteratorCharSequence().hasNext()).isFalse();
    }
}
