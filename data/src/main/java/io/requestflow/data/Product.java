package io.requestflow.data;

import java.time.Instant;

/** One row of the {@code products} table. */
public record Product(long id, String sku, String name, String category, int priceCents, String description,
                      Instant createdAt) {
}
