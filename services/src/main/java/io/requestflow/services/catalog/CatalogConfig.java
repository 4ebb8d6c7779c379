package io.requestflow.services.catalog;

/**
 * The catalog service's settings.
 *
 * @param cacheTtlSeconds how long a product stays in Redis (seed: 300 s)
 * @param defaultLimit    search results when {@code limit} is absent
 * @param maxLimit        the largest {@code limit} accepted (400 above it)
 */
public record CatalogConfig(long cacheTtlSeconds, int defaultLimit, int maxLimit) {

    public static CatalogConfig defaults() {
        return new CatalogConfig(300, 20, 100);
    }
}
