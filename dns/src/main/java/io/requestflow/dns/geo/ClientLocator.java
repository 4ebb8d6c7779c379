package io.requestflow.dns.geo;

import io.requestflow.dns.RegionConfig;
import io.requestflow.engine.net.Cidr;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Places a client address in a region: first the configured ranges (most specific wins), then, for public
 * addresses, the GeoLite2 database (region = first configured region of the same country, else continent),
 * else the default region. Stateless after construction, so every event loop may use it at once.
 */
public final class ClientLocator {

    private record Range(Cidr cidr, RegionConfig region) {}

    private final List<Range> ranges;
    private final List<RegionConfig> regions;
    private final RegionConfig fallback;
    private final GeoIpDatabase geoip;

    /** {@code geoip} may be null to place public addresses in the default region. */
    public ClientLocator(List<RegionConfig> regions, String defaultRegion, GeoIpDatabase geoip) {
        List<Range> all = new ArrayList<>();
        for (RegionConfig region : regions) {
            for (String cidr : region.cidrs()) {
                try {
                    all.add(new Range(Cidr.parse(cidr), region));
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException("dns.regions." + region.name() + ".cidrs: '" + cidr
                            + "' is not a CIDR range", e);
                }
            }
        }
        all.sort((a, b) -> Integer.compare(b.cidr().prefix(), a.cidr().prefix()));
        this.ranges = List.copyOf(all);
        this.regions = List.copyOf(regions);
        this.fallback = regions.stream().filter(r -> r.name().equals(defaultRegion)).findFirst()
                .orElse(new RegionConfig(defaultRegion, List.of(), null, null));
        this.geoip = geoip;
    }

    /**
     * Where the client at {@code address} is; {@code sourcePrefix} is how many bits of it are real (all of them
     * for a source address, the ECS source prefix otherwise).
     */
    public ClientLocation locate(InetAddress address, int sourcePrefix) {
        for (Range range : ranges) {
            if (range.cidr().contains(address)) {
                RegionConfig r = range.region();
                return new ClientLocation(r.name(), r.country(), r.continent(), range.cidr().prefix(), "cidr");
            }
        }
        if (geoip != null && isPublic(address)) {
            Optional<GeoIpDatabase.Place> place = geoip.find(address);
            if (place.isPresent()) {
                GeoIpDatabase.Place p = place.get();
                RegionConfig region = regionOf(p.country(), p.continent());
                return new ClientLocation(region.name(), p.country(), p.continent(),
                        Math.min(p.prefixLength(), sourcePrefix), "geoip");
            }
        }
        return new ClientLocation(fallback.name(), fallback.country(), fallback.continent(), sourcePrefix, "default");
    }

    private RegionConfig regionOf(String country, String continent) {
        for (RegionConfig r : regions) {
            if (country != null && country.equalsIgnoreCase(r.country())) {
                return r;
            }
        }
        for (RegionConfig r : regions) {
            if (continent != null && continent.equalsIgnoreCase(r.continent())) {
                return r;
            }
        }
        return fallback;
    }

    private static boolean isPublic(InetAddress a) {
        return !(a.isLoopbackAddress() || a.isSiteLocalAddress() || a.isLinkLocalAddress() || a.isAnyLocalAddress()
                || a.isMulticastAddress());
    }
}
