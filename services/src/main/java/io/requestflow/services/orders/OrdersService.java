package io.requestflow.services.orders;

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
import io.requestflow.engine.trace.Tracing;
import io.requestflow.services.inventory.InventoryService;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import java.util.regex.Pattern;

/**
 * Orders: {@code POST /api/orders} and {@code GET /api/orders/{id}}, for the user the gateway verified
 * ({@code X-User-Id}). Placing an order is one transaction: a conditional stock decrement per item (a row
 * lock, so concurrent buyers queue and never oversell), the order and its items, and an outbox row for
 * the event queue. With an {@code Idempotency-Key}, a retry gets the first order back instead of a second.
 */
public final class OrdersService {
    private static final String USER_HEADER = "x-user-id";
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9._:-]{1,100}");

    private final OrdersConfig config;
    private final Sql sql;
    private final CacheAside cache;

    public OrdersService(OrdersConfig config, Sql sql, CacheAside cache) {
        this.config = config;
        this.sql = sql;
        this.cache = cache;
    }

    public List<Stage> stages(Executor blocking) {
        return List.of(new ServiceErrors(), Router.builder()
                .post("/api/orders", (ex, p) -> place(ex))
                .get("/api/orders/{id}", (ex, p) -> show(ex, Ids.positive("order id", p.get("id"))))
                .build(blocking));
    }

    private static String user(Exchange ex) {
        String user = ex.request().header(USER_HEADER);
        if (user == null || user.isBlank()) throw HttpError.unauthorized("orders need a signed-in user (a Bearer token)");
        return user;
    }

    private Response place(Exchange ex) {
        String user = user(ex);
        String key = ex.request().header("idempotency-key");
        if (key != null && !KEY.matcher(key).matches()) {
            throw HttpError.badRequest("Idempotency-Key must be 1-100 of letters, digits, '.', '_', ':', '-'");
        }
        Map<Long, Integer> items = parseItems(ex.request().body());
        String hash = hash(items);
        Claim placed = sql.transaction(ex, "INSERT order", c -> {
            Claim claim = key == null ? new Claim(insertOrder(c, user, hash), true) : claim(c, user, key, hash);
            if (claim.mine()) placeItems(c, claim.orderId(), items, Tracing.traceparent(ex.span()));
            return claim;
        });
        long orderId = placed.orderId();
        boolean created = placed.mine();
        if (created) {
            cache.invalidate(items.keySet().stream().map(InventoryService::cacheKey).toArray(String[]::new));
        } else {
            ex.describe("idempotent replay");
        }
        Map<String, Object> order = load(ex, user, orderId, true);
        if (!created && !hash.equals(order.remove("requestHash"))) {
            throw new HttpError(422, "Unprocessable Content", "Idempotency-Key " + key
                    + " was already used for a different order (" + orderId + ")");
        }
        order.remove("requestHash");
        Response r = Response.json(201, order)
                .header("location", "/api/orders/" + orderId).header("cache-control", "private, no-store");
        if (!created) r.header("idempotent-replayed", "true");
        return r;
    }

    /** The order an idempotency key points at, and whether this request just created it. */
    private record Claim(long orderId, boolean mine) {}

    /** Claims the key: a new order row if it was free, else the order that already holds it. */
    private static Claim claim(Connection c, String user, String key, String hash) throws SQLException {
        // ON CONFLICT waits for a concurrent holder of the same key to commit, then finds its row
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO orders (user_id, idempotency_key, request_hash,"
                + " status, total_cents) VALUES (?, ?, ?, 'placed', 0) ON CONFLICT (user_id, idempotency_key)"
                + " DO NOTHING RETURNING id")) {
            ps.setString(1, user);
            ps.setString(2, key);
            ps.setString(3, hash);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) return new Claim(rs.getLong(1), true);
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT id FROM orders WHERE user_id = ? AND idempotency_key = ?")) {
            ps.setString(1, user);
            ps.setString(2, key);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Claim(rs.getLong(1), false);
            }
        }
    }

    private static long insertOrder(Connection c, String user, String hash) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO orders (user_id, idempotency_key, request_hash,"
                + " status, total_cents) VALUES (?, ?, ?, 'placed', 0) RETURNING id")) {
            ps.setString(1, user);
            ps.setString(2, null);
            ps.setString(3, hash);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Decrements stock (in product id order, so two orders never lock in opposite orders), then items and outbox. */
    private static void placeItems(Connection c, long orderId, Map<Long, Integer> items, String traceparent)
            throws SQLException {
        long total = 0;
        List<Map<String, Object>> event = new ArrayList<>();
        for (Map.Entry<Long, Integer> item : items.entrySet()) {
            long productId = item.getKey();
            int quantity = item.getValue();
            try (PreparedStatement ps = c.prepareStatement("UPDATE inventory SET available = available - ?,"
                    + " updated_at = now() WHERE product_id = ? AND available >= ? RETURNING available")) {
                ps.setInt(1, quantity);
                ps.setLong(2, productId);
                ps.setInt(3, quantity);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) throw outOfStock(c, productId, quantity);
                }
            }
            int price;
            try (PreparedStatement ps = c.prepareStatement("SELECT price_cents FROM products WHERE id = ?")) {
                ps.setLong(1, productId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) throw new HttpError(422, "Unprocessable Content", "product " + productId + " does not exist");
                    price = rs.getInt(1);
                }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO order_items (order_id, product_id, quantity,"
                    + " price_cents) VALUES (?, ?, ?, ?)")) {
                ps.setLong(1, orderId);
                ps.setLong(2, productId);
                ps.setInt(3, quantity);
                ps.setInt(4, price);
                ps.executeUpdate();
            }
            total += (long) price * quantity;
            event.add(Map.of("productId", productId, "quantity", quantity, "priceCents", price));
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE orders SET total_cents = ? WHERE id = ?")) {
            ps.setLong(1, total);
            ps.setLong(2, orderId);
            ps.executeUpdate();
        }
        // the request's trace goes with the event: the relay and the worker continue it
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO outbox (aggregate, aggregate_id, event_type, payload,"
                + " traceparent) VALUES ('order', ?, 'OrderPlaced', ?::jsonb, ?)")) {
            ps.setLong(1, orderId);
            ps.setString(2, new String(Json.bytes(Map.of("orderId", orderId, "totalCents", total, "items", event)),
                    StandardCharsets.UTF_8));
            ps.setString(3, traceparent);
            ps.executeUpdate();
        }
    }

    private static HttpError outOfStock(Connection c, long productId, int quantity) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT available FROM inventory WHERE product_id = ?")) {
            ps.setLong(1, productId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return new HttpError(422, "Unprocessable Content", "product " + productId + " is not sold");
                return new HttpError(409, "Conflict", "product " + productId + " has " + rs.getInt(1)
                        + " in stock, fewer than the " + quantity + " ordered");
            }
        }
    }

    private Response show(Exchange ex, long id) {
        String user = user(ex);
        Map<String, Object> order = load(ex, user, id, false);
        order.remove("requestHash");
        return CacheHeaders.json(ex, Json.bytes(order), "private, no-cache");
    }

    /** The order if {@code user} owns it; someone else's order is a 404 too, so ids cannot be probed. */
    private Map<String, Object> load(Exchange ex, String user, long id, boolean fromPrimary) {
        String select = "SELECT id, user_id, status, total_cents, created_at, request_hash FROM orders"
                + " WHERE id = ? AND user_id = ?";
        Sql.RowMapper<Map<String, Object>> mapper = rs -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", rs.getLong("id"));
            m.put("status", rs.getString("status"));
            m.put("totalCents", rs.getLong("total_cents"));
            m.put("createdAt", rs.getTimestamp("created_at").toInstant().toString());
            m.put("requestHash", rs.getString("request_hash"));
            return m;
        };
        List<Map<String, Object>> rows = fromPrimary ? sql.query(ex, "SELECT order", select, mapper, id, user)
                : sql.read(ex, "SELECT order", select, mapper, id, user);
        if (rows.isEmpty()) throw HttpError.notFound("you have no order " + id);
        Map<String, Object> order = rows.getFirst();
        String items = "SELECT product_id, quantity, price_cents FROM order_items WHERE order_id = ? ORDER BY product_id";
        Sql.RowMapper<Map<String, Object>> itemMapper = rs -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("productId", rs.getLong(1));
            m.put("quantity", rs.getInt(2));
            m.put("priceCents", rs.getInt(3));
            return m;
        };
        order.put("items", fromPrimary ? sql.query(ex, "SELECT order items", items, itemMapper, id)
                : sql.read(ex, "SELECT order items", items, itemMapper, id));
        return order;
    }

    /** Items by product id (sorted: the lock order), duplicates merged; anything malformed is a 400. */
    private Map<Long, Integer> parseItems(byte[] body) {
        JsonNode root;
        try {
            root = Json.tree(body);
        } catch (RuntimeException e) {
            throw HttpError.badRequest("the body must be JSON like {\"items\": [{\"productId\": 42, \"quantity\": 1}]}");
        }
        JsonNode list = root == null ? null : root.get("items");
        if (list == null || !list.isArray() || list.isEmpty()) throw HttpError.badRequest("items must be a non-empty array");
        if (list.size() > config.maxItems()) throw HttpError.badRequest("at most " + config.maxItems() + " items per order");
        Map<Long, Integer> items = new TreeMap<>();
        for (JsonNode item : list) {
            JsonNode pid = item.get("productId");
            JsonNode qty = item.get("quantity");
            if (pid == null || !pid.canConvertToLong() || pid.asLong() < 1 || !pid.isIntegralNumber()) {
                throw HttpError.badRequest("each item needs a positive integer productId");
            }
            if (qty == null || !qty.isIntegralNumber() || qty.asInt() < 1 || qty.asInt() > config.maxQuantity()) {
                throw HttpError.badRequest("each item needs a quantity from 1 to " + config.maxQuantity());
            }
            int merged = items.merge(pid.asLong(), qty.asInt(), Integer::sum);
            if (merged > config.maxQuantity()) throw HttpError.badRequest("at most " + config.maxQuantity() + " of one product");
        }
        return items;
    }

    private static String hash(Map<Long, Integer> items) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(items.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
