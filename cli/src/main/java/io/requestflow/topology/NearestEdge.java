package io.requestflow.topology;

import io.requestflow.dns.DnsConfig;
import io.requestflow.dns.RecordSetConfig;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * With edges in several regions ({@code wan.edges}), the shop's name stops being a plain record and answers
 * by latency: each client gets the edge whose region has the lowest {@code dns.latencyMs} round trip from
 * its own, the same table the WAN links delay by. Applied to the zone at start and on every reload.
 */
final class NearestEdge {
    /** One edge: where it stands and the address clients reach it at (null: the name's own record, edge-1's). */
    record Edge(String id, String region, String address) {}

    private NearestEdge() {}

    /** {@code dns} with {@code host}'s plain record replaced by a latency record set over {@code edges}. */
    static DnsConfig steer(DnsConfig dns, String host, List<Edge> edges) {
        String name = label(host, dns.zone());
        Map<String, List<String>> records = new LinkedHashMap<>(dns.records());
        List<String> own = records.remove(name);
        List<RecordSetConfig.AnswerConfig> answers = new ArrayList<>();
        for (Edge e : edges) {
            List<String> values = e.address() != null ? List.of(e.address()) : own;
            if (values == null || values.isEmpty()) {
                throw new IllegalArgumentException("wan.edges: dns.records has no address for " + name
                        + " (the first edge's), so DNS cannot answer it by latency; add one");
            }
            answers.add(new RecordSetConfig.AnswerConfig(e.id(), values, null, e.region(), null, null, null, null));
        }
        List<RecordSetConfig> sets = new ArrayList<>();
        for (RecordSetConfig set : dns.recordSets()) {
            if (!set.name().equalsIgnoreCase(name) || !set.type().equals("A")) sets.add(set);
        }
        sets.add(new RecordSetConfig(name, "A", "latency", null, answers));
        return dns.withRecords(records).withRecordSets(sets);
    }

    /** The name inside the zone: shop.requestflow.test in requestflow.test is "shop". */
    private static String label(String host, String zone) {
        String h = host.toLowerCase(Locale.ROOT).replaceAll("\\.$", "");
        String z = zone.toLowerCase(Locale.ROOT).replaceAll("\\.$", "");
        if (!h.endsWith("." + z)) {
            throw new IllegalArgumentException("wan.edges: the edge's first host " + host + " is not in dns.zone " + zone
                    + ", so DNS cannot steer clients to the nearest edge; put a name of the zone first in edge.hosts");
        }
        return h.substring(0, h.length() - z.length() - 1);
    }
}
