package io.requestflow.dns.geo;

/**
 * Where a client is, as far as routing needs to know.
 *
 * @param region      the configured region it is in (never null: unplaced clients get the default region)
 * @param country     ISO country code, or null when unknown
 * @param continent   continent code, or null when unknown
 * @param scopePrefix how many leading address bits the placement depended on (the ECS scope to answer with)
 * @param source      how it was placed: {@code cidr}, {@code geoip} or {@code default}
 */
public record ClientLocation(String region, String country, String continent, int scopePrefix, String source) {}
