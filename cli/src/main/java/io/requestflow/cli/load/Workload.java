package io.requestflow.cli.load;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Turns the scenario's mix into concrete requests: which endpoint (by weight), which product (Zipf),
 * which search term, which client (a region's loopback source address), and whether it pays for a new
 * connection. Not thread-safe: the generator's one scheduling thread draws from it.
 */
public final class Workload {
    /** One request to send; {@code expect} the statuses that count as good (null: any below 400). */
    public record Planned(int endpoint, String name, String method, String path, byte[] body, boolean auth,
                          int source, boolean fresh, List<Integer> expect) {
        /** Whether an answer with this status is a good one. */
        public boolean good(int status) {
            return expect == null ? status < 400 : expect.contains(status);
        }
    }

    private final Scenario scenario;
    private final Zipf zipf;
    private final double[] endpointCdf;
    private final List<InetAddress> sources = new ArrayList<>();
    private final List<String> sourceRegion = new ArrayList<>();
    private final double[] sourceCdf;
    private final AtomicLong keys = new AtomicLong();
    private final String keyPrefix;
    private long seq;
    private final SplittableRandom random;

    public Workload(Scenario scenario) {
        this.keyPrefix = keyPrefix(scenario.seed);
        this.scenario = scenario;
        this.seq = Math.floorMod(scenario.seed, scenario.products); // {seq} walks the ids from here
        this.zipf = new Zipf(scenario.products, scenario.zipfExponent);
        this.random = new SplittableRandom(scenario.seed);
        this.endpointCdf = cdf(scenario.endpoints.stream().mapToDouble(Scenario.Endpoint::weight).toArray());
        List<Double> weights = new ArrayList<>();
        for (Scenario.Region r : scenario.regions) {
            for (int c = 1; c <= r.clients(); c++) {
                try {
                    sources.add(InetAddress.getByAddress(new byte[] {127, 0, (byte) r.octet(), (byte) c}));
                } catch (UnknownHostException e) {
                    throw new IllegalStateException("four bytes are always an address", e);
                }
                sourceRegion.add(r.name());
                weights.add(r.weight() / r.clients());
            }
        }
        this.sourceCdf = cdf(weights.stream().mapToDouble(Double::doubleValue).toArray());
    }

    public List<InetAddress> sources() {
        return sources;
    }

    public String region(int source) {
        return sourceRegion.get(source);
    }

    public SplittableRandom random() {
        return random;
    }

    public Planned next() {
        int e = pick(endpointCdf);
        Scenario.Endpoint endpoint = scenario.endpoints.get(e);
        int product = zipf.next(random);
        String path = fill(endpoint.path(), product, true);
        byte[] body = endpoint.body() == null ? null : fill(endpoint.body(), product, false)
                .getBytes(StandardCharsets.UTF_8);
        boolean fresh = random.nextDouble() < scenario.newConnectionShare;
        return new Planned(e, endpoint.name(), endpoint.method(), path, body, endpoint.auth(), pick(sourceCdf), fresh,
                endpoint.expect());
    }

    /**
     * The start of a run's idempotency keys: the seed makes the requests repeatable, a value of the run's
     * own keeps its keys apart from every earlier run's against the same database (else a repeated run's
     * orders would be replays of the last run's, or 422s where the bodies differ).
     */
    static String keyPrefix(long seed) {
        return "load-" + seed + "-" + Long.toString(java.util.concurrent.ThreadLocalRandom.current().nextLong() >>> 1, 36) + "-";
    }

    private String fill(String template, int product, boolean url) {
        if (template.indexOf('{') < 0) return template;
        String query = scenario.searchTerms.isEmpty() ? "" : scenario.searchTerms.get(
                random.nextInt(scenario.searchTerms.size()));
        if (template.contains("{seq}")) seq = seq % scenario.products + 1;
        return template.replace("{product}", Integer.toString(product))
                .replace("{seq}", Long.toString(seq))
                .replace("{query}", url ? java.net.URLEncoder.encode(query, StandardCharsets.UTF_8) : query)
                .replace("{key}", keyPrefix + keys.incrementAndGet())
                .replace("{username}", scenario.username)
                .replace("{password}", scenario.password);
    }

    private int pick(double[] cdf) {
        double u = random.nextDouble();
        for (int i = 0; i < cdf.length; i++) if (u < cdf[i]) return i;
        return cdf.length - 1;
    }

    private static double[] cdf(double[] weights) {
        double sum = 0;
        for (double w : weights) sum += w;
        double[] out = new double[weights.length];
        double acc = 0;
        for (int i = 0; i < weights.length; i++) {
            acc += weights[i] / sum;
            out[i] = acc;
        }
        return out;
    }
}
