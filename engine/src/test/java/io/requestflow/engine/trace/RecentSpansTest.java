package io.requestflow.engine.trace;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** The ring keeps the newest finished spans; /spans reads back what the SDK recorded, whole, while spans are written. */
class RecentSpansTest {

    @Test
    @SuppressWarnings("unchecked")
    void aStoredSpanReadsBackAsTheSdkRecordedIt() {
        RecentSpans store = new RecentSpans(16);
        SpanData recorded;
        try (Tracing tracing = new Tracing("balancer", "balancer-1", store)) {
            Span server = tracing.startServer("GET", new DefaultHttpHeaders()
                    .add("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"));
            server.setAttribute(Tracing.HTTP_METHOD, "GET");
            server.setAttribute(Tracing.URL_PATH, "/caf\u00e9/1k.txt");
            server.setAttribute(Tracing.HTTP_STATUS, 503L);
            server.setAttribute(AttributeKey.doubleKey("requestflow.score"), 2.5);
            server.setAttribute(AttributeKey.booleanKey("requestflow.retried"), true);
            server.setStatus(StatusCode.ERROR);
            server.end();
            recorded = ((ReadableSpan) server).toSpanData();
        }
        List<Map<String, Object>> found = store.find("0af7651916cd43dd8448eb211c80319c", 10);
        assertThat(found).hasSize(1);
        assertThat(store.keptWhole()).isZero(); // read back from the slot's bytes
        Map<String, Object> s = found.get(0);
        assertThat(s.get("traceId")).isEqualTo(recorded.getTraceId());
        assertThat(s.get("spanId")).isEqualTo(recorded.getSpanId());
        assertThat(s.get("parentSpanId")).isEqualTo("b7ad6b7169203331").isEqualTo(recorded.getParentSpanId());
        assertThat(s.get("service")).isEqualTo("balancer");
        assertThat(s.get("name")).isEqualTo("GET");
        assertThat(s.get("kind")).isEqualTo("SERVER");
        assertThat(s.get("startEpochNanos")).isEqualTo(recorded.getStartEpochNanos());
        assertThat(s.get("durationMs")).isEqualTo((recorded.getEndEpochNanos() - recorded.getStartEpochNanos()) / 1e6);
        assertThat(s.get("status")).isEqualTo("ERROR");
        assertThat((Map<Object, Object>) s.get("attributes")).containsExactlyInAnyOrderEntriesOf(Map.<Object, Object>of(
                "http.request.method", "GET", "url.path", "/caf\u00e9/1k.txt", "http.response.status_code", 503L,
                "requestflow.score", 2.5, "requestflow.retried", true));
    }

    /** What the slot's bytes cannot hold (past Latin-1, too long, arrays) is kept as the SDK's span and reads the same. */
    @Test
    @SuppressWarnings("unchecked")
    void aSpanThatDoesNotFitItsSlotReadsBackAsTheSdkRecordedIt() {
        RecentSpans store = new RecentSpans(8);
        List<SpanData> recorded = new ArrayList<>();
        try (Tracing tracing = new Tracing("balancer", "balancer-1", store)) {
            Span wide = tracing.startServer("GET \u65e5\u672c", new DefaultHttpHeaders());
            wide.setAttribute(Tracing.URL_PATH, "/\u65e5\u672c");
            Span longPath = tracing.startServer("GET", new DefaultHttpHeaders());
            longPath.setAttribute(Tracing.URL_PATH, "/" + "a".repeat(RecentSpans.SLOT_BYTES));
            Span array = tracing.startServer("GET", new DefaultHttpHeaders());
            array.setAttribute(AttributeKey.stringArrayKey("requestflow.tags"), List.of("a", "b"));
            array.setAttribute(Tracing.HTTP_STATUS, 200L);
            for (Span span : List.of(wide, longPath, array)) {
                span.end();
                recorded.add(((ReadableSpan) span).toSpanData());
            }
        }
        assertThat(store.keptWhole()).isEqualTo(3);
        for (SpanData expected : recorded) {
            List<Map<String, Object>> found = store.find(expected.getTraceId(), 10);
            assertThat(found).hasSize(1);
            Map<String, Object> s = found.get(0);
            assertThat(s.get("spanId")).isEqualTo(expected.getSpanId());
            assertThat(s.get("name")).isEqualTo(expected.getName());
            Map<Object, Object> attributes = new java.util.HashMap<>();
            expected.getAttributes().forEach((k, v) -> attributes.put(k.getKey(), v));
            assertThat((Map<Object, Object>) s.get("attributes")).containsExactlyInAnyOrderEntriesOf(attributes);
        }
    }

    /** Compact and whole spans side by side, newest first, and the limit counts both. */
    @Test
    void theNewestComeFirstWhateverForm() {
        RecentSpans store = new RecentSpans(3);
        try (Tracing tracing = new Tracing("t", "t-1", store)) {
            for (int i = 0; i < 5; i++) {
                Span span = tracing.startServer(i % 2 == 0 ? "span-" + i : "span-\u65e5-" + i, new DefaultHttpHeaders());
                span.end();
            }
        }
        assertThat(store.find(null, 10)).extracting(s -> s.get("name"))
                .containsExactly("span-4", "span-\u65e5-3", "span-2");
        assertThat(store.find(null, 2)).hasSize(2);
    }

    @Test
    void aRootSpanHasTheZeroParentAndAnUnknownTraceFindsNothing() {
        RecentSpans store = new RecentSpans(4);
        try (Tracing tracing = new Tracing("t", "t-1", store)) {
            tracing.startServer("root", new DefaultHttpHeaders()).end();
        }
        Map<String, Object> s = store.find(null, 1).get(0);
        assertThat(s.get("parentSpanId")).isEqualTo("0000000000000000");
        assertThat(store.find((String) s.get("traceId"), 5)).hasSize(1);
        assertThat(store.find("not-a-trace-id", 5)).isEmpty();
        assertThat(store.find("ffffffffffffffffffffffffffffffff", 5)).isEmpty();
    }

    /** Writers on several threads while a reader reads: every span read is whole (its name matches its attribute). */
    @Test
    void readersNeverSeeAHalfWrittenSpan() throws Exception {
        RecentSpans store = new RecentSpans(64);
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try (Tracing tracing = new Tracing("t", "t-1", store)) {
            List<Future<?>> writers = new ArrayList<>();
            for (int w = 0; w < 3; w++) {
                int writer = w;
                writers.add(threads.submit(() -> {
                    for (int i = 0; !stop.get(); i++) {
                        String mark = writer + "-" + i;
                        Span span = tracing.startServer("span-" + mark, new DefaultHttpHeaders());
                        span.setAttribute("requestflow.mark", mark);
                        span.end();
                    }
                }));
            }
            long checked = 0;
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
            while (System.nanoTime() < until) {
                for (Map<String, Object> s : store.find(null, 64)) {
                    Map<?, ?> attributes = (Map<?, ?>) s.get("attributes");
                    assertThat(s.get("name")).isEqualTo("span-" + attributes.get("requestflow.mark"));
                    checked++;
                }
            }
            stop.set(true);
            for (Future<?> f : writers) f.get(5, TimeUnit.SECONDS);
            assertThat(checked).isPositive();
            assertThat(store.stored()).isGreaterThan(64);
        } finally {
            threads.shutdownNow();
        }
    }
}
