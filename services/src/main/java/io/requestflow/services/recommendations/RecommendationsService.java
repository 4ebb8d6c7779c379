package io.requestflow.services.recommendations;

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
 * "Customers also bought": {@code GET /api/recommendations/{productId}} answers the products most often
 * ordered together with it, from the table {@link CoOccurrence} rebuilds from order history.
 */
public final class RecommendationsService {
    private final long cacheTtlSeconds;
    private final int limit;
    private final Sql sql;
    private final CacheAside cache;

    public RecommendationsService(long cacheTtlSeconds, int limit, Sql sql, CacheAside cache) {
        this.cacheTtlSeconds = cacheTtlSeconds;
        this.limit = limit;
        this.sql = sql;
        this.cache = cache;
    }

    public List<Stage> stages(Executor blocking) {
        return List.of(new ServiceErrors(), Router.builder()
                .get("/api/recommendations/{id}", (ex, p) -> recommend(ex, Ids.positive("product id", p.get("id"))))
                .build(blocking));
    }

    private Response recommend(Exchange ex, long id) {
        String json = cache.get(ex, "recommendations:" + id, cacheTtlSeconds, () -> {
            List<Map<String, Object>> items = sql.read(ex, "SELECT recommendations", "SELECT recommended_id, score"
                    + " FROM recommendations WHERE product_id = ? ORDER BY score DESC, recommended_id LIMIT ?", rs -> {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("productId", rs.getLong(1));
                        m.put("score", rs.getInt(2));
                        return m;
                    }, id, limit);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("productId", id);
            body.put("items", items);
            return new String(Json.bytes(body), StandardCharsets.UTF_8);
        });
        return CacheHeaders.json(ex, json.getBytes(StandardCharsets.UTF_8), "public, max-age=300");
    }
}
