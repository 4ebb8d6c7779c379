package io.requestflow.services.catalog;

import io.requestflow.engine.http.HttpError;
import io.requestflow.engine.http.Json;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.pipeline.Exchange;
import io.requestflow.engine.pipeline.Stage;
import io.requestflow.engine.service.Router;
import io.requestflow.services.CacheHeaders;
import io.requestflow.services.ServiceErrors;
import io.requestflow.services.Sql;
import io.requestflow.services.cache.CacheAside;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.regex.Pattern;

/**
 * The catalog service: products by id (cache-aside, see {@link CacheAside}), category listings and
 * full-text search ranked by PostgreSQL, both paged by keyset (an opaque {@code cursor} naming the last
 * row seen, so page 500 costs what page 1 costs).
 * Routes: {@code GET /api/products/{id}}, {@code GET /api/products?q=…&limit=…&cursor=…},
 * {@code GET /api/categories/{category}/products?limit=…&cursor=…}.
 */
public final class CatalogService {
    private static final String PRODUCT_COLUMNS = "id, sku, name, category, price_cents, description";
    private static final Pattern CATEGORY = Pattern.compile("[a-z][a-z0-9-]{0,39}");

    private final CatalogConfig config;
    private final Sql sql;
    private final CacheAside cache;

    public CatalogService(CatalogConfig config, Sql sql, CacheAside cache) {
        this.config = config;
        this.sql = sql;
        this.cache = cache;
    }

    public List<Stage> stages(Executor blocking) {
        return List.of(new ServiceErrors(), Router.builder()
                .get("/api/products/{id}", (ex, p) -> product(ex, p.get("id")))
                .get("/api/products", (ex, p) -> search(ex))
                .get("/images/products/{file}", (ex, p) -> ProductImage.response(ex, p.get("file")))
                .get("/api/categories/{category}/products", (ex, p) -> category(ex, p.get("category")))
                .build(blocking));
    }

    private Response product(Exchange ex, String idText) {
        long id = parseId(idText);
        String json = cache.get(ex, "product:" + id, config.cacheTtlSeconds(), () -> {
            List<Map<String, Object>> rows = sql.read(ex, "SELECT products", "SELECT " + PRODUCT_COLUMNS
                    + " FROM products WHERE id = ?", CatalogService::row, id);
            return rows.isEmpty() ? null : new String(Json.bytes(rows.getFirst()), StandardCharsets.UTF_8);
        });
        if (json == null) throw HttpError.notFound("product " + id + " does not exist");
        // a surrogate key lets the edge purge every cached copy of this product at once
        return CacheHeaders.json(ex, json.getBytes(StandardCharsets.UTF_8), "public, max-age=60")
                .header("surrogate-key", "product-" + id + " products");
    }

    private Response search(Exchange ex) {
        String q = ex.request().query("q");
        int limit = parseLimit(ex.request().query("limit"));
        String[] cursor = parseCursor(ex.request().query("cursor"));
        List<Map<String, Object>> rows;
        String next = null;
        if (q == null || q.isBlank()) {
            long after = cursor == null ? 0 : cursorLong(cursor, 1, 2);
            rows = sql.read(ex, "SELECT products", "SELECT " + PRODUCT_COLUMNS
                    + " FROM products WHERE id > ? ORDER BY id LIMIT ?", CatalogService::row, after, limit);
            if (rows.size() == limit) next = cursor("i", rows.getLast().get("id"));
        } else {
            if (q.length() > 200) throw HttpError.badRequest("q is longer than 200 characters");
            String rankedFrom = "SELECT " + PRODUCT_COLUMNS + ", ts_rank(search, query) AS rank"
                    + " FROM products, websearch_to_tsquery('english', ?) query WHERE search @@ query";
            if (cursor == null) {
                rows = sql.read(ex, "SEARCH products", rankedFrom + " ORDER BY rank DESC, id LIMIT ?",
                        CatalogService::rankedRow, q, limit);
            } else {
                if (cursor.length != 3 || !cursor[0].equals("r")) throw HttpError.badRequest("cursor is not from this search");
                float rank = cursorFloat(cursor[1]);
                long id = cursorLong(cursor, 2, 3);
                rows = sql.read(ex, "SEARCH products", "SELECT * FROM (" + rankedFrom + ") ranked"
                                + " WHERE rank < ? OR (rank = ? AND id > ?) ORDER BY rank DESC, id LIMIT ?",
                        CatalogService::rankedRow, q, rank, rank, id, limit);
            }
            if (rows.size() == limit) next = cursor("r", rows.getLast().get("rank"), rows.getLast().get("id"));
        }
        return page(ex, rows, next, Map.of("query", q == null ? "" : q), "public, max-age=30");
    }

    private Response category(Exchange ex, String category) {
        if (!CATEGORY.matcher(category).matches()) {
            throw HttpError.badRequest("category must be lowercase letters, digits and '-', up to 40 characters");
        }
        int limit = parseLimit(ex.request().query("limit"));
        String[] cursor = parseCursor(ex.request().query("cursor"));
        long after = cursor == null ? 0 : cursorLong(cursor, 1, 2);
        List<Map<String, Object>> rows = sql.read(ex, "SELECT products by category", "SELECT " + PRODUCT_COLUMNS
                + " FROM products WHERE category = ? AND id > ? ORDER BY id LIMIT ?", CatalogService::row,
                category, after, limit);
        String next = rows.size() == limit ? cursor("i", rows.getLast().get("id")) : null;
        return page(ex, rows, next, Map.of("category", category), "public, max-age=60");
    }

    private static Response page(Exchange ex, List<Map<String, Object>> rows, String next, Map<String, Object> echo,
                                 String cacheControl) {
        Map<String, Object> body = new LinkedHashMap<>(echo);
        body.put("count", rows.size());
        body.put("items", rows);
        body.put("next", next);
        return CacheHeaders.json(ex, Json.bytes(body), cacheControl);
    }

    private static String cursor(String kind, Object... parts) {
        StringBuilder s = new StringBuilder(kind);
        for (Object p : parts) s.append(':').append(p);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static String[] parseCursor(String text) {
        if (text == null || text.isEmpty()) return null;
        try {
            if (text.length() > 200) throw new IllegalArgumentException();
            String[] parts = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8).split(":");
            if (parts.length < 2) throw new IllegalArgumentException();
            return parts;
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest("cursor is not one this service handed out");
        }
    }

    private static long cursorLong(String[] cursor, int index, int expectedLength) {
        try {
            if (cursor.length != expectedLength) throw new NumberFormatException();
            return Long.parseLong(cursor[index]);
        } catch (NumberFormatException e) {
            throw HttpError.badRequest("cursor is not one this service handed out");
        }
    }

    private static float cursorFloat(String text) {
        try {
            return Float.parseFloat(text);
        } catch (NumberFormatException e) {
            throw HttpError.badRequest("cursor is not one this service handed out");
        }
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

    static Map<String, Object> row(java.sql.ResultSet rs) throws java.sql.SQLException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", rs.getLong("id"));
        m.put("sku", rs.getString("sku"));
        m.put("name", rs.getString("name"));
        m.put("category", rs.getString("category"));
        m.put("priceCents", rs.getInt("price_cents"));
        m.put("description", rs.getString("description"));
        return m;
    }

    private static Map<String, Object> rankedRow(java.sql.ResultSet rs) throws java.sql.SQLException {
        Map<String, Object> m = row(rs);
        m.put("rank", rs.getFloat("rank"));
        return m;
    }
}
