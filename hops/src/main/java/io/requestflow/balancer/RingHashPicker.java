package io.requestflow.balancer;

import io.requestflow.engine.pipeline.Exchange;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * Consistent hashing for stickiness: each member owns {@value #POINTS_PER_WEIGHT} points per unit of
 * weight on a 64-bit ring; a request goes to the first available member clockwise from its key's hash.
 * Adding one of N instances moves about 1/N of the keys; an unavailable member's keys go to its
 * neighbours while everybody else's stay put. Requests without a key land randomly.
 */
final class RingHashPicker implements Picker {
    static final int POINTS_PER_WEIGHT = 160;

    /** Where the key comes from: a request header or a cookie. */
    record KeySource(boolean cookie, String name) {
        static KeySource parse(String spec) {
            int colon = spec.indexOf(':');
            return new KeySource(spec.substring(0, colon).equals("cookie"), spec.substring(colon + 1).trim());
        }

        String from(Exchange exchange) {
            if (!cookie) return exchange.request().header(name);
            String header = exchange.request().header("cookie");
            if (header == null) return null;
            for (String part : header.split(";")) {
                int eq = part.indexOf('=');
                if (eq > 0 && part.substring(0, eq).trim().equals(name)) return part.substring(eq + 1).trim();
            }
            return null;
        }
    }

    private record Ring(List<Instance> members, long[] hashes, Instance[] owners) {}

    private final Supplier<List<Instance>> members;
    private final KeySource key;
    private volatile Ring ring;

    RingHashPicker(Supplier<List<Instance>> members, KeySource key) {
        this.members = members;
        this.key = key;
    }

    @Override
    public Instance pick(List<Instance> candidates, Exchange exchange) {
        String k = key.from(exchange);
        if (k == null) return candidates.get(ThreadLocalRandom.current().nextInt(candidates.size()));
        Ring r = ring();
        int n = r.hashes.length;
        if (n == 0) return candidates.getFirst();
        int at = Arrays.binarySearch(r.hashes, hash(k));
        if (at < 0) at = -at - 1;
        for (int step = 0; step < n; step++) {
            Instance owner = r.owners[(at + step) % n];
            if (candidates.contains(owner)) return owner;
        }
        return candidates.getFirst(); // candidates outside the membership (cannot happen today)
    }

    /** The ring for the current membership, rebuilt only when the membership list changes. */
    private Ring ring() {
        List<Instance> now = members.get();
        Ring r = ring;
        if (r != null && r.members == now) return r;
        int points = 0;
        for (Instance i : now) points += i.weight() * POINTS_PER_WEIGHT;
        long[][] pairs = new long[points][];
        int p = 0;
        for (int m = 0; m < now.size(); m++) {
            Instance i = now.get(m);
            for (int v = 0; v < i.weight() * POINTS_PER_WEIGHT; v++) pairs[p++] = new long[]{hash(i.name() + "#" + v), m};
        }
        Arrays.sort(pairs, (a, b) -> Long.compare(a[0], b[0]));
        long[] hashes = new long[points];
        Instance[] owners = new Instance[points];
        for (int q = 0; q < points; q++) {
            hashes[q] = pairs[q][0];
            owners[q] = now.get((int) pairs[q][1]);
        }
        r = new Ring(now, hashes, owners);
        ring = r;
        return r;
    }

    /** FNV-1a over the UTF-8 bytes, finished with the SplitMix64 mixer so nearby keys spread out. */
    static long hash(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b;
            h *= 0x100000001b3L;
        }
        h = (h ^ (h >>> 30)) * 0xbf58476d1ce4e5b9L;
        h = (h ^ (h >>> 27)) * 0x94d049bb133111ebL;
        return h ^ (h >>> 31);
    }
}
