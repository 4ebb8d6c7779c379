package io.requestflow.engine.hop;

import io.requestflow.engine.trace.ServerTiming;
import org.junit.jupiter.api.Test;

import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The hand-written request-id check and Server-Timing builder say exactly what the regex and strings did. */
class HeaderFormattingTest {
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    @Test
    void requestIdCheckMatchesTheRegexItReplaced() {
        String[] samples = {"", "a", "abc-123_X.y:z", "x".repeat(64), "x".repeat(65), "has space", "semi;colon",
                "quote\"", "ünï", "tab\t", "0af7651916cd43dd8448eb211c80319c", "a/b", "a\nb", "-", "::"};
        for (String s : samples) assertEquals(SAFE.matcher(s).matches(), HttpHop.safeRequestId(s), s);
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < 20_000; i++) {
            StringBuilder sb = new StringBuilder();
            int n = random.nextInt(70);
            for (int j = 0; j < n; j++) sb.append((char) (random.nextInt(3) == 0 ? random.nextInt(256) : 32 + random.nextInt(95)));
            String s = sb.toString();
            assertEquals(SAFE.matcher(s).matches(), HttpHop.safeRequestId(s), s);
        }
    }

    @Test
    void serverTimingEntryEscapesLikeBefore() {
        assertEquals("balancer;dur=1.50;desc=\"b1 'x' y\"",
                new ServerTiming.Entry("balancer", 1.5, "b1 \"x\" \\y").format());
        assertEquals("redis;dur=0.07;by=catalog", new ServerTiming.Entry("redis", 0.07, "", "catalog").format());
        StringBuilder sb = ServerTiming.append(new StringBuilder(), "edge", 12.345, "HIT", null);
        assertEquals("edge;dur=12.35;desc=\"HIT\"", sb.toString());
        // a description with only one of the two characters changed, and one with neither (copied whole)
        assertEquals("b;dur=0.00;desc=\"a\"", new ServerTiming.Entry("b", 0, "\\a\\").format());
        assertEquals("b;dur=0.00;desc=\"'a'\"", new ServerTiming.Entry("b", 0, "\"a\"").format());
        assertEquals("b;dur=0.00;desc=\"10.0.0.7:8080 retries=1 panic\"",
                new ServerTiming.Entry("b", 0, "10.0.0.7:8080 retries=1 panic").format());
    }
}
