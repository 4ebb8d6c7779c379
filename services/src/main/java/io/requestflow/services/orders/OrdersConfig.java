package io.requestflow.services.orders;

/**
 * @param maxItems    distinct lines per order (400 above it; default 50)
 * @param maxQuantity units of one product per order (400 above it; default 100)
 */
public record OrdersConfig(int maxItems, int maxQuantity) {
    public static OrdersConfig defaults() {
        return new OrdersConfig(50, 100);
    }
}
