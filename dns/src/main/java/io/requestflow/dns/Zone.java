package io.requestflow.dns;

import io.requestflow.dns.geo.ClientLocation;
import io.requestflow.dns.health.HealthMonitor;
import io.requestflow.dns.policy.Candidate;
import io.requestflow.dns.policy.Decision;
import io.requestflow.dns.policy.RoutingPolicy;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Address;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * One authoritative zone held in memory, and the answer to a question about it.
 *
 * <p>Immutable once built, so any number of event-loop threads may look up at once. Each (name, type) holds one
 * {@link RecordSet}; a set with a routing policy or health checks chooses its answer per query. It decides only
 * what the zone says (records, CNAME chains, NXDOMAIN, NODATA, REFUSED); the wire protocol is {@link DnsResponder}'s.
 */
public final class Zone {

    // SOA timers for secondaries; nothing transfers this zone today, but resolvers and tools read them.
    static final long REFRESH_SECONDS = 3600;
    static final long RETRY_SECONDS = 600;
    static final long EXPIRE_SECONDS = 604800;
    /** CNAMEs followed inside the zone before giving up (a loop, or a chain nobody should build). */
    static final int MAX_CNAME_HOPS = 8;

    private final Name origin;
    private final SOARecord soa;
    private final SOARecord negativeSoa;
    /** Owner name (lower case) → type → record set. An empty inner map is an empty non-terminal. */
    private final Map<Name, Map<Integer, RecordSet>> nodes;

    private Zone(Name origin, SOARecord soa, SOARecord negativeSoa, Map<Name, Map<Integer, RecordSet>> nodes) {
        this.origin = origin;
        this.soa = soa;
        this.negativeSoa = negativeSoa;
        this.nodes = nodes;
    }

    /** What a lookup may consult about the client and the targets; everything healthy and unplaced by default. */
    public record Context(Supplier<ClientLocation> client, Predicate<String> healthy, RandomGenerator random) {
        static final ClientLocation NOWHERE = new ClientLocation(DnsConfig.DEFAULT_REGION, null, null, 0, "default");

        public static Context none() {
            return new Context(() -> NOWHERE, url -> true, RandomGenerator.getDefault());
        }
    }

    /** A record set and how it chooses: fixed records when {@code policy} is null. */
    record RecordSet(Name owner, int type, String policyName, RoutingPolicy policy, List<Candidate> candidates,
                     List<Record> fixed) {

        boolean dynamic() {
            return fixed == null;
        }
    }

    /** Builds the zone with a serial from the clock. */
    public static Zone from(DnsConfig config) {
        return from(config, 0);
    }

    /**
     * Builds the zone from config: SOA and NS at the apex, the name server's glue address, then the configured
     * records and record sets. The glue is the listen address, since that is where this server answers. The
     * serial is the clock's seconds, or {@code minSerial} when that is larger, so a reload always bumps it.
     *
     * @throws IllegalArgumentException naming the offending field when a name, value or policy is invalid
     */
    public static Zone from(DnsConfig config, long minSerial) {
        Name origin = absolute(config.zone(), "dns.zone");
        long ttl = config.ttlSeconds();
        Name ns = child("ns1", origin);
        long serial = Math.max(Instant.now().getEpochSecond(), minSerial) & 0xFFFF_FFFFL;
        SOARecord soa = new SOARecord(origin, DClass.IN, ttl, ns, child("hostmaster", origin), serial,
                REFRESH_SECONDS, RETRY_SECONDS, EXPIRE_SECONDS, config.negativeTtlSeconds());
        // RFC 2308 §3: resolvers cache a negative answer for min(SOA TTL, SOA minimum); send that as the TTL.
        SOARecord negativeSoa = new SOARecord(origin, DClass.IN, Math.min(ttl, config.negativeTtlSeconds()),
                soa.getHost(), soa.getAdmin(), serial, REFRESH_SECONDS, RETRY_SECONDS, EXPIRE_SECONDS,
                config.negativeTtlSeconds());

        Map<Name, Map<Integer, List<Record>>> plain = new LinkedHashMap<>();
        addPlain(plain, origin, soa);
        addPlain(plain, origin, new NSRecord(origin, DClass.IN, ttl, ns));
        boolean nsConfigured = false;
        for (Map.Entry<String, List<String>> entry : config.records().entrySet()) {
            String field = "dns.records." + entry.getKey();
            Name owner = owner(entry.getKey(), origin, field);
            nsConfigured |= owner.equals(ns);
            for (String address : entry.getValue()) {
                addPlain(plain, owner, addressRecord(owner, ttl, address, field));
            }
        }

        List<RecordSet> sets = new ArrayList<>();
        for (RecordSetConfig set : config.recordSets()) {
            String field = "dns.recordSets[" + set.name() + "]";
            Name owner = owner(set.name(), origin, field);
            int type = Type.value(set.type());
            nsConfigured |= owner.equals(ns) && (type == Type.A || type == Type.AAAA);
            long setTtl = set.ttlSeconds() == null ? ttl : set.ttlSeconds();
            List<Candidate> candidates = new ArrayList<>();
            for (RecordSetConfig.AnswerConfig answer : set.answers()) {
                List<Record> records = new ArrayList<>();
                for (String value : answer.values()) {
                    records.add(parse(owner, type, setTtl, value, origin, field));
                }
                candidates.add(new Candidate(answer.id(), List.copyOf(records), answer.weight(), answer.region(),
                        answer.location(), !"secondary".equals(answer.failover()), answer.healthCheck()));
            }
            if (type == Type.NS) {
                if (!owner.equals(origin) || !set.policy().equals("simple")) {
                    throw new IllegalArgumentException(field + ": NS records are served at the zone apex only, "
                            + "with the simple policy (this server does not delegate)");
                }
                candidates.forEach(c -> c.records().forEach(r -> addPlain(plain, origin, r)));
                continue;
            }
            if (type == Type.CNAME && owner.equals(origin)) {
                throw new IllegalArgumentException(field + ": the zone apex cannot be a CNAME");
            }
            boolean checked = candidates.stream().anyMatch(c -> c.healthCheck() != null);
            boolean fixed = set.policy().equals("simple") && !checked;
            sets.add(new RecordSet(owner, type, set.policy(),
                    RoutingPolicy.named(set.policy(), config.latencyMs()), List.copyOf(candidates),
                    fixed ? candidates.stream().flatMap(c -> c.records().stream()).distinct().toList() : null));
        }
        if (!nsConfigured) {
            addPlain(plain, ns, addressRecord(ns, ttl, glueAddress(config.host()), "dns.host"));
        }

        Map<Name, Map<Integer, RecordSet>> nodes = new HashMap<>();
        plain.forEach((owner, types) -> types.forEach((type, records) -> put(nodes, origin,
                // An RRset holds each record once (RFC 2181 §5), however often the config lists it.
                new RecordSet(owner, type, "simple", null, List.of(), records.stream().distinct().toList()),
                "dns.records")));
        for (RecordSet set : sets) {
            put(nodes, origin, set, "dns.recordSets[" + set.owner() + "]");
        }
        nodes.forEach((owner, types) -> {
            if (types.containsKey(Type.CNAME) && types.size() > 1) {
                throw new IllegalArgumentException("dns: " + owner + " has a CNAME and other records; a CNAME "
                        + "must stand alone (RFC 1034 §3.6.2)");
            }
        });
        nodes.replaceAll((name, types) -> Map.copyOf(types));
        return new Zone(origin, soa, negativeSoa, Map.copyOf(nodes));
    }

    public Name origin() {
        return origin;
    }

    public SOARecord soa() {
        return soa;
    }

    /** Every health check URL the zone's answers use, with whether it asked for the fast interval. */
    public List<HealthMonitor.Target> healthTargets(DnsConfig config) {
        List<HealthMonitor.Target> targets = new ArrayList<>();
        for (RecordSetConfig set : config.recordSets()) {
            for (RecordSetConfig.AnswerConfig a : set.answers()) {
                if (a.healthCheck() != null) {
                    targets.add(new HealthMonitor.Target(a.healthCheck().strip(), a.fastCheck()));
                }
            }
        }
        return targets.stream().distinct().toList();
    }

    /** {@link #lookup(Name, int, Context)} with every target healthy and the client nowhere in particular. */
    public Answer lookup(Name qname, int qtype) {
        return lookup(qname, qtype, Context.none());
    }

    /**
     * What the zone says about one question. Owner names in the answer take the question's spelling, so a
     * resolver that randomises case (DNS 0x20) sees its own name back. A CNAME is followed while its target is
     * in the zone; the rcode is the last name's (RFC 6604).
     */
    public Answer lookup(Name qname, int qtype, Context context) {
        if (!qname.subdomain(origin)) {
            return new Answer(Rcode.REFUSED, false, List.of(), List.of(), List.of(), List.of(), false, false);
        }
        List<Record> answer = new ArrayList<>();
        List<Record> additional = new ArrayList<>();
        List<Choice> choices = new ArrayList<>();
        boolean[] flags = new boolean[2]; // [0] dynamic, [1] location-dependent
        Name current = qname;
        for (int hop = 0; hop <= MAX_CNAME_HOPS; hop++) {
            Map<Integer, RecordSet> node = nodes.get(current.canonicalize());
            if (node == null) {
                return negative(Rcode.NXDOMAIN, answer, choices, flags);
            }
            List<Record> found = new ArrayList<>();
            if (qtype == Type.ANY) {
                for (RecordSet set : node.values()) {
                    found.addAll(resolve(set, context, choices, flags));
                }
            } else if (node.containsKey(qtype)) {
                found.addAll(resolve(node.get(qtype), context, choices, flags));
            } else if (node.containsKey(Type.CNAME)) {
                List<Record> cname = resolve(node.get(Type.CNAME), context, choices, flags);
                if (cname.isEmpty()) {
                    return negative(Rcode.NOERROR, answer, choices, flags);
                }
                Record link = cname.get(0).withName(current);
                answer.add(link);
                current = ((CNAMERecord) link).getTarget();
                if (!current.subdomain(origin)) {
                    break; // the resolver follows it from here
                }
                continue;
            }
            if (found.isEmpty()) {
                return negative(Rcode.NOERROR, answer, choices, flags);
            }
            for (Record record : found) {
                answer.add(record.withName(current));
                if (record instanceof NSRecord nsRecord) {
                    additional.addAll(glue(nsRecord.getTarget()));
                }
            }
            break;
        }
        return new Answer(Rcode.NOERROR, true, answer, List.of(), additional, choices, flags[0], flags[1]);
    }

    private Answer negative(int rcode, List<Record> answer, List<Choice> choices, boolean[] flags) {
        return new Answer(rcode, true, answer, List.of(negativeSoa), List.of(), choices, flags[0], flags[1]);
    }

    /** The records a set gives this query: fixed ones as they are, else what its policy chooses. */
    private static List<Record> resolve(RecordSet set, Context context, List<Choice> choices, boolean[] flags) {
        if (!set.dynamic()) {
            return set.fixed();
        }
        flags[0] = true;
        List<Candidate> answerable = new ArrayList<>(set.candidates().size());
        for (Candidate c : set.candidates()) {
            if (c.healthCheck() == null || context.healthy().test(c.healthCheck())) {
                answerable.add(c);
            }
        }
        boolean failOpen = answerable.isEmpty();
        if (failOpen) {
            answerable.addAll(set.candidates()); // all down: answering all beats answering nothing
        }
        Decision decision = set.policy().choose(answerable, context.client(), context.random());
        flags[1] |= decision.locationDependent();
        List<Record> records = new ArrayList<>();
        List<String> ids = new ArrayList<>(decision.chosen().size());
        for (Candidate c : decision.chosen()) {
            records.addAll(c.records());
            ids.add(c.id());
        }
        choices.add(new Choice(set.owner().toString(), set.policyName(), ids, failOpen));
        return records;
    }

    /** A name server's in-zone addresses, so the resolver need not ask again for them. */
    private List<Record> glue(Name target) {
        Map<Integer, RecordSet> node = nodes.getOrDefault(target.canonicalize(), Map.of());
        List<Record> glue = new ArrayList<>();
        for (int type : new int[] {Type.A, Type.AAAA}) {
            RecordSet set = node.get(type);
            if (set != null && !set.dynamic()) {
                glue.addAll(set.fixed());
            }
        }
        return glue;
    }

    private static void addPlain(Map<Name, Map<Integer, List<Record>>> plain, Name owner, Record record) {
        plain.computeIfAbsent(owner.canonicalize(), k -> new LinkedHashMap<>())
                .computeIfAbsent(record.getType(), k -> new ArrayList<>()).add(record);
    }

    private static void put(Map<Name, Map<Integer, RecordSet>> nodes, Name origin, RecordSet set, String field) {
        Name key = set.owner().canonicalize();
        RecordSet previous = nodes.computeIfAbsent(key, k -> new HashMap<>()).putIfAbsent(set.type(), set);
        if (previous != null) {
            throw new IllegalArgumentException(field + ": " + set.owner() + " " + Type.string(set.type())
                    + " is defined twice (in records and recordSets, or twice in recordSets)");
        }
        // Names between the owner and the apex exist even without records (RFC 8020: NODATA, not NXDOMAIN).
        for (int strip = 1; strip < key.labels() - origin.labels(); strip++) {
            nodes.computeIfAbsent(new Name(key, strip), k -> new HashMap<>());
        }
    }

    /** One value in zone-file form, for any type dnsjava knows; relative names are relative to the zone. */
    private static Record parse(Name owner, int type, long ttl, String value, Name origin, String field) {
        if (type == Type.A || type == Type.AAAA) {
            Record record = addressRecord(owner, ttl, value, field);
            if (record.getType() != type) {
                throw new IllegalArgumentException(field + ": '" + value + "' is not an " + Type.string(type)
                        + " address");
            }
            return record;
        }
        try {
            return Record.fromString(owner, type, DClass.IN, ttl, value.strip(), origin);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(field + ": '" + value + "' is not valid " + Type.string(type)
                    + " data (" + e.getMessage() + ")", e);
        }
    }

    private static Record addressRecord(Name owner, long ttl, String address, String field) {
        byte[] v4 = Address.toByteArray(address.strip(), Address.IPv4);
        if (v4 != null) {
            return new ARecord(owner, DClass.IN, ttl, v4);
        }
        byte[] v6 = Address.toByteArray(address.strip(), Address.IPv6);
        if (v6 != null) {
            return new AAAARecord(owner, DClass.IN, ttl, v6);
        }
        throw new IllegalArgumentException(field + ": '" + address + "' is not an IPv4 or IPv6 address");
    }

    /** The glue address: the listen host, or loopback when listening on every interface (no one address fits). */
    private static String glueAddress(String host) {
        try {
            InetAddress address = InetAddress.getByName(host);
            if (address.isAnyLocalAddress()) {
                return InetAddress.getLoopbackAddress().getHostAddress();
            }
            return address.getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("dns.host: cannot resolve '" + host + "'", e);
        }
    }

    private static Name owner(String text, Name origin, String field) {
        String name = text.strip();
        if (name.equals("@") || name.isEmpty()) {
            return origin;
        }
        String lower = name.toLowerCase(Locale.ROOT);
        String zone = origin.toString(true).toLowerCase(Locale.ROOT);
        if (!name.endsWith(".") && (lower.equals(zone) || lower.endsWith("." + zone))) {
            name = name + ".";
        }
        Name owner;
        try {
            owner = Name.fromString(name, origin);
        } catch (TextParseException e) {
            throw new IllegalArgumentException(field + ": not a valid DNS name (" + e.getMessage() + ")", e);
        }
        if (!owner.subdomain(origin)) {
            throw new IllegalArgumentException(field + ": " + owner + " is outside the zone " + origin);
        }
        return owner;
    }

    private static Name absolute(String text, String field) {
        try {
            return Name.fromString(text.endsWith(".") ? text : text + ".");
        } catch (TextParseException e) {
            throw new IllegalArgumentException(field + ": '" + text + "' is not a valid DNS name", e);
        }
    }

    private static Name child(String label, Name origin) {
        try {
            return Name.fromString(label, origin);
        } catch (TextParseException e) {
            throw new IllegalArgumentException("dns.zone: " + origin + " is too long for " + label, e);
        }
    }

    /**
     * One routing decision, for the query log and metrics.
     *
     * @param recordSet owner name of the set
     * @param policy    its policy
     * @param chosen    ids of the chosen answers
     * @param failOpen  whether every candidate was unhealthy, so all were considered
     */
    public record Choice(String recordSet, String policy, List<String> chosen, boolean failOpen) {}

    /**
     * The zone's verdict on one question.
     *
     * @param rcode             NOERROR (answer or NODATA), NXDOMAIN, or REFUSED for a name outside the zone
     * @param authoritative     whether the AA flag belongs on the response
     * @param answer            records for the answer section
     * @param authority         the SOA on a negative answer, so resolvers know how long to cache it
     * @param additional        glue addresses for NS answers
     * @param choices           the routing decisions made for this answer
     * @param dynamic           whether a policy or health state chose any of it (then it must not be cached)
     * @param locationDependent whether the client's location mattered (then an ECS answer carries a scope)
     */
    public record Answer(int rcode, boolean authoritative, List<Record> answer, List<Record> authority,
                         List<Record> additional, List<Choice> choices, boolean dynamic,
                         boolean locationDependent) {}
}
