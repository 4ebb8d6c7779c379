package io.requestflow.dns.geo;

import static org.assertj.core.api.Assertions.assertThat;

import io.requestflow.dns.DnsConfig;
import io.requestflow.dns.RegionConfig;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Placing clients: configured ranges (longest wins), then GeoLite2 for public addresses, else the default. */
class ClientLocatorTest {

    private static final GeoIpDatabase GEOIP = GeoIpDatabase.bundled();

    @Test
    void rangesFirstAndTheLongestWins() throws Exception {
        List<RegionConfig> regions = new ArrayList<>(DnsConfig.DEFAULT_REGIONS);
        regions.add(new RegionConfig("eu-central", List.of("127.0.1.128/25"), "DE", "EU"));
        ClientLocator locator = new ClientLocator(regions, "us-east", GEOIP);
        assertThat(locator.locate(InetAddress.getByName("127.0.1.5"), 32))
                .isEqualTo(new ClientLocation("eu-west", "IE", "EU", 24, "cidr"));
        assertThat(locator.locate(InetAddress.getByName("127.0.1.200"), 32).region()).isEqualTo("eu-central");
        assertThat(locator.locate(InetAddress.getByName("10.1.2.3"), 32))
                .as("private and not in a range: the default region").extracting(ClientLocation::region,
                        ClientLocation::source).containsExactly("us-east", "default");
    }

    @Test
    void publicAddressesArePlacedByTheBundledGeoLite2Database() throws Exception {
        ClientLocator locator = new ClientLocator(DnsConfig.DEFAULT_REGIONS, "us-east", GEOIP);
        ClientLocation google = locator.locate(InetAddress.getByName("8.8.8.8"), 32);
        assertThat(google.country()).isEqualTo("US");
        assertThat(google.region()).isEqualTo("us-east");
        assertThat(google.source()).isEqualTo("geoip");
        assertThat(google.scopePrefix()).isBetween(1, 32);
        ClientLocation london = locator.locate(InetAddress.getByName("81.2.69.1"), 24);
        assertThat(london.continent()).isEqualTo("EU");
        assertThat(london.region()).as("no GB region: the first of its continent").isEqualTo("eu-west");
        assertThat(london.scopePrefix()).isLessThanOrEqualTo(24);
        ClientLocator without = new ClientLocator(DnsConfig.DEFAULT_REGIONS, "ap-south", null);
        assertThat(without.locate(InetAddress.getByName("8.8.8.8"), 32).region()).isEqualTo("ap-south");
    }
}
