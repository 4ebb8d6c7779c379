package io.requestflow.engine.http;

import io.netty.handler.codec.http.QueryStringDecoder;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link Request#path} without a decoder for plain targets says what Netty's decoder says for every target. */
class RequestPathTest {
    @Test
    void thePathIsTheDecodersPath() {
        String[] targets = {"/", "/1k.txt", "/a/b/c.html", "/a+b", "/a%20b", "/a?b=1", "/a#frag", "/a;jsessionid=1",
                "", "*", "http://host/x?y", "/caf\u00e9", "//double", "/a/../b", "/%", "/?"};
        for (String target : targets) {
            assertEquals(outcome(() -> new QueryStringDecoder(target).path()),
                    outcome(() -> Request.of("GET", target).path()), target);
        }
    }

    /** The path, or the error a bad escape raises (the same either way). */
    private static String outcome(java.util.function.Supplier<String> path) {
        try {
            return path.get();
        } catch (IllegalArgumentException e) {
            return e.toString();
        }
    }
}
