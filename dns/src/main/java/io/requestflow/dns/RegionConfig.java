package io.requestflow.dns;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * A region clients and answers can be in. Clients are placed by source address (or EDNS Client Subnet) through
 * {@code cidrs}; a public client located by the GeoLite2 database falls into the first region of its country,
 * else of its continent.
 *
 * @param name      e.g. {@code eu-west}
 * @param cidrs     client ranges that stand for this region (loopback ranges let one machine play many places)
 * @param country   ISO 3166 country code the region is in
 * @param continent continent code (EU, NA, AS, ...)
 */
public record RegionConfig(String name, List<String> cidrs, String country, String continent) {

    public RegionConfig {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("dns.regions: a region needs a name");
        }
        cidrs = cidrs == null ? List.of() : List.copyOf(cidrs);
    }

    @JsonCreator
    static RegionConfig fromJson(@JsonProperty("name") String name, @JsonProperty("cidrs") List<String> cidrs,
                                 @JsonProperty("country") String country,
                                 @JsonProperty("continent") String continent) {
        return new RegionConfig(name, cidrs, country, continent);
    }
}
