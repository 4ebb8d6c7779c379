package io.requestflow.cli.load;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads the hops' Prometheus {@code /metrics} before and after a run and keeps the change of the series
 * that speak about caches, queries and fan-out, so the report can show what the hops counted next to what
 * the responses said. A hop that does not answer is reported as such, never fatal.
 */
public final class MetricsScrape {
    private static final Pattern INTERESTING = Pattern.compile("(?i).*(hit|miss|cache|quer|fan_?out|replica|primary).*");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private MetricsScrape() {}

    /** url -> series -> value; a url that failed maps to {"error": 1}. */
    public static Map<String, Map<String, Double>> read(List<String> urls) {
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        for (String url : urls) {
            try {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(3)).GET().build(), HttpResponse.BodyHandlers.ofString());
                out.put(url, parse(r.statusCode() == 200 ? r.body() : ""));
            } catch (Exception e) {
                out.put(url, Map.of("error", 1.0));
            }
        }
        return out;
    }

    /** The interesting series of a Prometheus text exposition (comments and other series skipped). */
    static Map<String, Double> parse(String text) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) continue;
            int space = line.lastIndexOf(' ');
            if (space <= 0) continue;
            String series = line.substring(0, space).trim();
            if (!INTERESTING.matcher(series).matches()) continue;
            try {
                m.put(series, Double.parseDouble(line.substring(space + 1).trim()));
            } catch (NumberFormatException ignored) {
                // a value that is not a number is not a counter we can diff
            }
        }
        return m;
    }

    /** after - before for every series present after the run (missing before = 0). */
    public static Map<String, Map<String, Double>> delta(Map<String, Map<String, Double>> before,
                                                         Map<String, Map<String, Double>> after) {
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        after.forEach((url, series) -> {
            Map<String, Double> d = new LinkedHashMap<>();
            Map<String, Double> b = before.getOrDefault(url, Map.of());
            series.forEach((k, v) -> d.put(k, v - b.getOrDefault(k, 0.0)));
            out.put(url, d);
        });
        return out;
    }
}
