package io.requestflow.services.reviews;

import com.fasterxml.jackson.databind.JsonNode;
import io.requestflow.engine.http.HttpError;
import io.requestflow.engine.http.Json;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.pipeline.Exchange;
import io.requestflow.engine.pipeline.Stage;
import io.requestflow.engine.service.Router;
import io.requestflow.services.CacheHeaders;
import io.requestflow.services.Ids;
import io.requestflow.services.ServiceErrors;
import io.requestflow.services.Sql;
import io.requestflow.services.cache.CacheAside;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * Rating summary (count, average, histogram) and the most recent reviews of a product:
 * {@code GET /api/reviews/{productId}}. A product without reviews has a summary of zero, not a 404:
 * this service does not own the catalog.
 */
public final class ReviewsService {
    private final long cacheTtlSeconds;
    private final int recent;
    private final Sql sql;
    private final CacheAside cache;

    public ReviewsService(long cacheTtlSeconds, int recent, Sql sql, CacheAside cache) {
        this.cacheTtlSeconds = cacheTtlSeconds;
        this.recent = recent;
        this.sql = sql;
        this.cache = cache;
    }

    public List<Stage> stages(Executor blocking) {
        return List.of(new ServiceErrors(), Router.builder()
                .get("/api/reviews/{id}", (ex, p) -> reviews(ex, Ids.positive("product id", p.get("id"))))
                .post("/api/reviews/{id}", (ex, p) -> add(ex, Ids.positive("product id", p.get("id"))))
                .build(blocking));
    }

    /** Writes a review by the verified caller (the gateway's X-User-*), then drops the cached summary everywhere. */
    private Response add(Exchange ex, long id) {
        String userId = ex.request().header("x-user-id");
        if (userId == null) throw HttpError.unauthorized("writing a review needs a token; call this through the gateway");
        JsonNode body = Json.tree(ex.request().body());
        if (body == null || !body.path("rating").canConvertToInt() || !body.path("text").isTextual()) {
            throw HttpError.badRequest("expected JSON {\"rating\": 1-5, \"text\": \"…\"}");
        }
        int rating = body.get("rating").asInt();
        String text = body.get("text").asText().strip();
        if (rating < 1 || rating > 5) throw HttpError.badRequest("rating must be between 1 and 5");
        if (text.isEmpty() || text.length() > 2_000) throw HttpError.badRequest("text must be 1 to 2000 characters");
        String name = ex.request().header("x-user-name");
        String author = name != null ? name : "user-" + userId;
        List<Long> ids = sql.query(ex, "INSERT reviews", "INSERT INTO reviews (product_id, author, rating, body, created_at)"
                + " VALUES (?, ?, ?, ?, now()) RETURNING id", rs -> rs.getLong(1), id, author, rating, text);
        cache.invalidate("reviews:" + id);
        Map<String, Object> review = new LinkedHashMap<>();
        review.put("id", ids.getFirst());
        review.put("productId", id);
        review.put("author", author);
        review.put("rating", rating);
        review.put("body", text);
        return Response.json(201, review).header("cache-control", "no-store");
    }

    private Response reviews(Exchange ex, long id) {
        String json = cache.get(ex, "reviews:" + id, cacheTtlSeconds, () -> load(ex, id));
        return CacheHeaders.json(ex, json.getBytes(StandardCharsets.UTF_8), "public, max-age=60");
    }

    private String load(Exchange ex, long id) {
        int[] histogram = new int[5];
        for (int[] row : sql.read(ex, "SELECT review ratings", "SELECT rating, count(*) FROM reviews WHERE product_id = ?"
                + " GROUP BY rating", rs -> new int[] {rs.getInt(1), rs.getInt(2)}, id)) {
            histogram[row[0] - 1] = row[1];
        }
        List<Map<String, Object>> latest = sql.read(ex, "SELECT reviews", "SELECT id, author, rating, body, created_at"
                + " FROM reviews WHERE product_id = ? ORDER BY created_at DESC, id DESC LIMIT ?", rs -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("id", rs.getLong("id"));
                    m.put("author", rs.getString("author"));
                    m.put("rating", rs.getInt("rating"));
                    m.put("body", rs.getString("body"));
                    m.put("createdAt", rs.getTimestamp("created_at").toInstant().toString());
                    return m;
                }, id, recent);
        int count = 0;
        long sum = 0;
        for (int i = 0; i < 5; i++) {
            count += histogram[i];
            sum += (long) histogram[i] * (i + 1);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("productId", id);
        body.put("count", count);
        body.put("average", count == 0 ? null : Math.round(sum * 100.0 / count) / 100.0);
        Map<String, Integer> byStars = new LinkedHashMap<>();
        for (int i = 0; i < 5; i++) byStars.put(Integer.toString(i + 1), histogram[i]);
        body.put("histogram", byStars);
        body.put("recent", latest);
        return new String(Json.bytes(body), StandardCharsets.UTF_8);
    }
}
