package io.requestflow.services.catalog;

import io.requestflow.engine.http.HttpError;
import io.requestflow.engine.http.Json;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.pipeline.Exchange;
import io.requestflow.engine.pipeline.Stage;
import io.requestflow.engine.service.Router;
import io.requestflow.services.RedisCache;
import io.requestflow.services.ServiceErrors;
import io.requestflow.services.Sql;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * The catalog service: products by id (cache-aside: Redis first, PostgreSQL on a miss, then Redis is
 * filled for {@code cacheTtlSeconds}) and full-text search ranked by PostgreSQL.
 * Routes: {@code GET /api/products/{id}}, {@code GET /api/products?q=…&limit=…}.
 */
public final class CatalogService {
    private static final String PRODUCT_COLUMNS = "id, sku, name, category, price_cents, description";

    private final CatalogConfig config;
    private final Sql sql;
    private final RedisCache cache;

    public CatalogService(CatalogConfig config, Sql sql, RedisCache cache) {
        this.config = config;
        this.sql = sql;
        this.cache = cache;
    }

    public List<Stage> stages(Executor blocking) {
        return List.of(new ServiceErrors(), Router.builder()
                .get("/api/products/{id}", (ex, p) -> product(ex, p.get("id")))
                .get("/api/products", (ex, p) -> search(ex))
                .get("/images/products/{file}", (ex, p) -> ProductImage.response(ex, p.get("file")))
                .build(blocking));
    }

    private Response product(Exchange ex, String idText) {
        long id = parseId(idText);
        String key = "product:" + id;
        String cached = cache.get(ex, key);
        if (cached != null) {
            ex.describe("cache hit");
            return productResponse(ex, id, cached.getBytes(StandardCharsets.UTF_8));
        }
        List<Map<String, Object>> rows = sql.query(ex, "SELECT products", "SELECT " + PRODUCT_COLUMNS
                + " FROM products WHERE id = ?", CatalogService::row, id);
        if (rows.isEmpty()) throw HttpError.notFound("product " + id + " does not exist");
        byte[] json = Json.bytes(rows.getFirst());
        cache.set(ex, key, new String(json, StandardCharsets.UTF_8), config.cacheTtlSeconds());
        ex.describe("cache miss");
        return productResponse(ex, id, json);
    }

    /** Cacheable by any cache for 60 s, with an ETag to revalidate and a surrogate key to purge by. */
    private static Response productResponse(Exchange ex, long id, byte[] json) {
        String etag = ProductImage.etag(json);
        Response r = etag.equals(ex.request().header("if-none-match"))
                ? Response.empty(304) : Response.of(200, "application/json", json);
        return r.header("cache-control", "public, max-age=60").header("etag", etag)
                .header("surrogate-key", "product-" + id + " products");
    }

    private Response search(Exchange ex) {
        String q = ex.request().query("q");
        int limit = parseLimit(ex.request().query("limit"));
        List<Map<String, Object>> rows;
        if (q == null || q.isBlank()) {
            rows = sql.query(ex, "SELECT products", "SELECT " + PRODUCT_COLUMNS + " FROM products ORDER BY id LIMIT ?",
                    CatalogService::row, limit);
        } else {
            if (q.length() > 200) throw HttpError.badRequest("q is longer than 200 characters");
            rows = sql.query(ex, "SEARCH products", "SELECT " + PRODUCT_COLUMNS
                            + " FROM products, websearch_to_tsquery('english', ?) query WHERE search @@ query"
                            + " ORDER BY ts_rank(search, query) DESC, id LIMIT ?",
                    CatalogService::row, q, limit);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("query", q);
        body.put("count", rows.size());
        body.put("items", rows);
        return Response.json(200, body).header("cache-control", "public, max-age=30");
    }

    private long parseId(String text) {
        try {
            long id = Long.parseLong(text);
            if (id > 0) return id;
        } catch (NumberFormatException ignored) {
            // falls through to the 400 below
        }
        throw HttpError.badRequest("product id must be a positive integer, not '" + text + "'");
    }

    private int parseLimit(String text) {
        if (text == null) return config.defaultLimit();
        try {
            int limit = Integer.parseInt(text);
            if (limit >= 1 && limit <= config.maxLimit()) return limit;
        } catch (NumberFormatException ignored) {
            // falls through to the 400 below
        }
        throw HttpError.badRequest("limit must be between 1 and " + config.maxLimit());
    }

    private static Map<String, Object> row(java.sql.ResultSet rs) throws java.sql.SQLException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", rs.getLong("id"));
        m.put("sku", rs.getString("sku"));
        m.put("name", rs.getString("name"));
        m.put("category", rs.getString("category"));
        m.put("priceCents", rs.getInt("price_cents"));
        m.put("description", rs.getString("description"));
        return m;
    }
}
