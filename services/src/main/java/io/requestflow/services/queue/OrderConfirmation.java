package io.requestflow.services.queue;

import com.fasterxml.jackson.databind.JsonNode;
import io.requestflow.engine.http.Json;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;

/**
 * The work that can happen after the buyer has their answer: an {@code OrderPlaced} event confirms the
 * order ({@code placed} → {@code confirmed}). Idempotent, so a redelivered event changes nothing.
 */
public final class OrderConfirmation implements EventHandler {
    private final DataSource database;

    public OrderConfirmation(DataSource database) {
        this.database = database;
    }

    @Override
    public void handle(String eventType, String key, String payload) throws Exception {
        if (!"OrderPlaced".equals(eventType)) throw new Rejected("no handler for event type " + eventType);
        long orderId;
        try {
            JsonNode event = Json.tree(payload.getBytes(StandardCharsets.UTF_8));
            if (!event.path("orderId").canConvertToLong()) throw new Rejected("OrderPlaced without an orderId: " + payload);
            orderId = event.get("orderId").asLong();
        } catch (RuntimeException e) {
            throw new Rejected("unreadable OrderPlaced payload: " + e.getMessage());
        }
        try (Connection c = database.getConnection();
             PreparedStatement ps = c.prepareStatement("UPDATE orders SET status = 'confirmed' WHERE id = ? AND status = 'placed'")) {
            ps.setLong(1, orderId);
            ps.executeUpdate();
        }
    }
}
