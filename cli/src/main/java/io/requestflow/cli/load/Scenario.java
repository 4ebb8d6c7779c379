package io.requestflow.cli.load;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a load run does: the target, the arrival process, the traffic shape, the workload mix and the
 * connection behaviour. Every field has a default, so {@code ./flow load} with no scenario file runs the
 * documented default mix; a YAML scenario file overrides any subset (a misspelt key is an error).
 */
public final class Scenario {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    /** Base URL of the front door; the host is resolved through {@link #dns}. */
    public String target = "http://shop.requestflow.test:8080";
    /** The project's DNS server (HOST:PORT); never the system resolver. */
    public String dns = "127.0.0.1:5353";
    /** Target arrival rate in requests per second (before the traffic profile's factor). */
    public double rate = 100;
    /** Measured seconds (after warm-up). */
    public double durationSeconds = 30;
    /** Seconds of load before measuring starts; their results are not in the report. */
    public double warmupSeconds = 5;
    /** Seconds over which the rate ramps linearly from 10% to the target at the start of the measured run. */
    public double rampSeconds = 0;
    /** {@code constant} (evenly spaced) or {@code poisson} (exponential gaps, like independent users). */
    public String arrival = "poisson";
    /** 0 = open loop at {@link #rate}; N > 0 = closed loop, N virtual users each sending after the last reply. */
    public int users = 0;
    /** Think time between a closed-loop user's requests, in ms. */
    public long thinkMs = 0;
    /** Every request's bound, from its intended send time to its last byte; a timeout error after it. */
    public long timeoutMs = 5_000;
    /** TCP connect bound. */
    public long connectTimeoutMs = 1_000;
    /** Open keep-alive connections per client source address. */
    public int maxConnectionsPerSource = 64;
    /** Requests waiting for a connection, across all sources; above it a request is counted as a "overload" error. */
    public int maxPending = 10_000;
    /** Share of requests sent on a brand-new connection (paying DNS, TCP and TLS), closed afterwards. */
    public double newConnectionShare = 0.05;
    /** Offer HTTP/2 by ALPN on https targets (the server picks; HTTP/1.1 otherwise). Plain http is HTTP/1.1. */
    public boolean http2 = true;
    /** Extra CA certificate (PEM) trusted for https targets; null = {@code var/ca/ca.pem} of the project. */
    public String caFile = null;
    /** Largest response body read; a larger one is an error of kind "body". */
    public int maxResponseBytes = 4 * 1024 * 1024;
    /** Zipf exponent of product popularity (1.0 ≈ the classic web skew; 0 = uniform). */
    public double zipfExponent = 1.0;
    /** Product ids are 1..products. */
    public int products = 10_000;
    /** Seed of every random choice, so two runs send the same sequence. */
    public long seed = 42;
    /** Login used to obtain the bearer token for endpoints with {@code auth: true}. */
    public String username = "demo";
    public String password = "demo";
    /** Admin {@code /metrics} URLs scraped before and after the run (counters diffed); empty = skip. */
    public List<String> metrics = new ArrayList<>();
    /** Words the search endpoint picks from. */
    public List<String> searchTerms = List.of("kindle", "book", "usb cable", "headphones", "coffee", "lamp",
            "charger", "shoes", "garden", "camera");

    /** The daily traffic profile, compressed into the measured duration: each phase a share of it. */
    public List<Phase> profile = List.of(
            new Phase("off-peak", 0.30, 0.5),
            new Phase("ramp-up", 0.15, 0.8),
            new Phase("peak", 0.35, 1.0),
            new Phase("spike", 0.05, 1.8),
            new Phase("evening", 0.15, 0.7));

    /**
     * Client regions: each a set of loopback source addresses 127.0.{octet}.1..{clients}, in the ranges the
     * topology's {@code dns.regions} give these names, so GeoDNS and the WAN link place them there too.
     */
    public List<Region> regions = List.of(
            new Region("us-east", 2, 4, 0.45),
            new Region("eu-west", 1, 4, 0.30),
            new Region("ap-south", 3, 2, 0.25));

    /**
     * The workload mix: mostly reads, as a shop sees. Logins are rare (1%): each costs a deliberate
     * 210,000-iteration PBKDF2 hash, so their share decides how much CPU auth takes.
     * {@code {product}} becomes a Zipf-popular id, {@code {seq}} the next id in turn, {@code {query}} a search
     * term, {@code {key}} a unique key.
     */
    public List<Endpoint> endpoints = List.of(
            new Endpoint("product-page", 0.42, "GET", "/api/pages/products/{product}", null, false),
            new Endpoint("product", 0.21, "GET", "/api/products/{product}", null, false),
            new Endpoint("search", 0.15, "GET", "/api/products?q={query}&limit=20", null, false),
            new Endpoint("image", 0.15, "GET", "/images/products/{product}.svg", null, false),
            new Endpoint("login", 0.01, "POST", "/api/login",
                    "{\"username\":\"{username}\",\"password\":\"{password}\"}", false),
            new Endpoint("add-review", 0.02, "POST", "/api/reviews/{product}",
                    "{\"rating\":5,\"text\":\"works as described\"}", true),
            // about one product in twenty is sold out (ShopSeeder.stock): its 409 is the shop's answer, not a failure
            new Endpoint("place-order", 0.04, "POST", "/api/orders",
                    "{\"items\":[{\"productId\":{product},\"quantity\":1}]}", true, List.of(201, 409)));

    /** A part of the compressed day: {@code share} of the duration at {@code factor} × the target rate. */
    public record Phase(String name, double share, double factor) {}

    /** Clients of one region use source addresses 127.0.{octet}.1 .. 127.0.{octet}.{clients}. */
    public record Region(String name, int octet, int clients, double weight) {}

    /**
     * One kind of request in the mix. {@code expect}: the statuses that count as a good answer (null: any
     * below 400), for answers a shop gives on purpose, such as 409 for a product that is sold out.
     */
    public record Endpoint(String name, double weight, String method, String path, String body, boolean auth,
                           List<Integer> expect) {
        public Endpoint(String name, double weight, String method, String path, String body, boolean auth) {
            this(name, weight, method, path, body, auth, null);
        }
    }

    public static Scenario defaults() {
        return new Scenario();
    }

    public static Scenario load(Path file) {
        try {
            Scenario s = YAML.readValue(file.toFile(), Scenario.class);
            if (s == null) s = new Scenario();
            s.validate();
            return s;
        } catch (UnrecognizedPropertyException e) {
            throw new IllegalArgumentException(file + ": unknown setting '" + e.getPropertyName()
                    + "'; known settings are " + e.getKnownPropertyIds(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read the scenario: "
                    + e.getMessage().lines().findFirst().orElse(""), e);
        }
    }

    /** Rejects settings that cannot run, with a message naming the setting. */
    public Scenario validate() {
        require(rate > 0 || users > 0, "rate must be > 0 (or users > 0 for a closed loop)");
        require(durationSeconds > 0, "durationSeconds must be > 0");
        require(warmupSeconds >= 0 && rampSeconds >= 0, "warmupSeconds and rampSeconds must be >= 0");
        require(arrival.equals("constant") || arrival.equals("poisson"), "arrival must be constant or poisson");
        require(users >= 0 && thinkMs >= 0, "users and thinkMs must be >= 0");
        require(timeoutMs > 0 && connectTimeoutMs > 0, "timeoutMs and connectTimeoutMs must be > 0");
        require(maxConnectionsPerSource > 0 && maxPending > 0, "maxConnectionsPerSource and maxPending must be > 0");
        require(newConnectionShare >= 0 && newConnectionShare <= 1, "newConnectionShare must be within 0..1");
        require(zipfExponent >= 0 && products > 0, "zipfExponent must be >= 0 and products > 0");
        require(!endpoints.isEmpty(), "endpoints must not be empty");
        for (Endpoint e : endpoints) {
            require(e.name() != null && e.path() != null && e.path().startsWith("/") && e.weight() >= 0,
                    "endpoint " + e.name() + " needs a name, a path starting with / and a weight >= 0");
            require(e.expect() == null || (!e.expect().isEmpty() && e.expect().stream().allMatch(c -> c != null && c >= 100 && c <= 599)),
                    "endpoint " + e.name() + ": expect lists HTTP statuses (100-599), or is left out for any below 400");
        }
        require(endpoints.stream().mapToDouble(Endpoint::weight).sum() > 0, "endpoint weights sum to 0");
        require(!regions.isEmpty(), "regions must not be empty");
        for (Region r : regions) {
            require(r.octet() >= 0 && r.octet() <= 255 && r.clients() >= 1 && r.clients() <= 254 && r.weight() >= 0,
                    "region " + r.name() + ": octet 0..255, clients 1..254, weight >= 0");
        }
        for (Phase p : profile) {
            require(p.share() > 0 && p.factor() >= 0, "profile phase " + p.name() + ": share > 0, factor >= 0");
        }
        return this;
    }

    private static void require(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException("scenario: " + message);
    }
}
