package io.requestflow.services.inventory;

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
 * Stock per product: {@code GET /api/inventory/{productId}}. Cached briefly ({@code cacheTtlSeconds},
 * seed: stock changes, so seconds not minutes); the orders service invalidates the key when it sells.
 */
public final class InventoryService {
    private final long cacheTtlSeconds;
    private final Sql sql;
    private final CacheAside cache;

    public InventoryService(long cacheTtlSeconds, Sql sql, CacheAside cache) {
        this.cacheTtlSeconds = cacheTtlSeconds;
        this.sql = sql;
        this.cache = cache;
    }

    public static String cacheKey(long productId) {
        return "inventory:" + productId;
    }

    public List<Stage> stages(Executor blocking) {
        return List.of(new ServiceErrors(), Router.builder()
                .get("/api/inventory/{id}", (ex, p) -> stock(ex, Ids.positive("product id", p.get("id"))))
                .build(blocking));
    }

    private Response stock(Exchange ex, long id) {
        String json = cache.get(ex, cacheKey(id), cacheTtlSeconds, () -> {
            List<Integer> rows = sql.read(ex, "SELECT inventory", "SELECT available FROM inventory WHERE product_id = ?",
                    rs -> rs.getInt(1), id);
            if (rows.isEmpty()) return null;
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("productId", id);
            body.put("available", rows.getFirst());
            body.put("inStock", rows.getFirst() > 0);
            return new String(Json.bytes(body), StandardCharsets.UTF_8);
        });
        if (json == null) throw HttpError.notFound("no inventory record for product " + id);
        return CacheHeaders.json(ex, json.getBytes(StandardCharsets.UTF_8), "public, max-age=" + cacheTtlSeconds);
    }
}
