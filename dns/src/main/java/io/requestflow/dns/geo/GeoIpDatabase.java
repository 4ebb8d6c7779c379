package io.requestflow.dns.geo;

import com.maxmind.geoip2.DatabaseReader;
import com.maxmind.geoip2.model.CountryResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.util.Optional;

/**
 * Country and continent of public addresses, from the GeoLite2 country database that ships inside the
 * {@code org.elasticsearch:geolite2-databases} jar (CC BY-SA 4.0, MaxMind). Read once into memory (4 MB).
 */
public final class GeoIpDatabase {

    static final String RESOURCE = "/GeoLite2-Country.mmdb";

    private final DatabaseReader reader;

    private GeoIpDatabase(DatabaseReader reader) {
        this.reader = reader;
    }

    /** Loads the bundled database. */
    public static GeoIpDatabase bundled() {
        try (InputStream in = GeoIpDatabase.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("GeoLite2 database " + RESOURCE + " is not on the class path");
            }
            return new GeoIpDatabase(new DatabaseReader.Builder(in).build());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the GeoLite2 database", e);
        }
    }

    /** The country entry for an address, if the database has one. */
    public Optional<Place> find(InetAddress address) {
        try {
            Optional<CountryResponse> found = reader.tryCountry(address);
            return found.map(r -> new Place(r.country().isoCode(), r.continent().code(),
                    r.traits().network() == null ? (address.getAddress().length * 8) : r.traits().network()
                            .prefixLength()));
        } catch (IOException | com.maxmind.geoip2.exception.GeoIp2Exception | RuntimeException e) {
            return Optional.empty(); // a damaged entry costs this client its geolocation, nothing more
        }
    }

    /** A database entry: the network it covers is {@code prefixLength} bits long. */
    public record Place(String country, String continent, int prefixLength) {}
}
