package io.requestflow.firewall.waf;

import io.requestflow.engine.http.Request;
import io.requestflow.firewall.waf.normalize.Normalizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A request taken apart for inspection: every argument, argument name, cookie, free-text header,
 * the path and the raw target, each normalised once here so rule families only match.
 */
public final class Inspection {
    private final Request request;
    private final String path;
    private final List<Target> targets = new ArrayList<>(32); // a browser's request has 20 to 30
    /** The targets not known clean, in order: made on first use (see {@link #fresh}). */
    private List<Target> fresh;
    private final List<String> headerNames = new ArrayList<>(16);
    /** Each header's value, beside its name in {@link #headerNames}: what {@link #header} reads. */
    private final List<String> headerValues = new ArrayList<>(16);
    private final BodyParser.Kind bodyKind;
    private boolean bodyUnparsable;
    private int argCount;
    private int skippedHeaders;
    private final CleanValueMemo cleanValues;
    /** Query pairs known clean as a whole (see {@link CleanPairMemo}); null when off. */
    private final CleanPairMemo cleanPairs;
    /** The target was inspected as its pieces, so each of its query pairs was a piece. */
    private boolean split;
    /**
     * The query pieces found in {@link #cleanPairs} while the target was split, by where they lie: their start
     * and end in the target, and the pair; {@link #queryPair} reads them in order. Null when none.
     */
    private int[] pairBounds;
    private CleanPairMemo.Pair[] pairs;
    private int pairCount;
    private int pairCursor;
    /** The query pairs to remember as a whole if nothing fires; null when none. */
    private CleanPairMemo.Pending newPairs;
    /** Referer pairs known clean as a whole (see {@link CleanPairMemo}); null when off. */
    private final CleanPairMemo refererPairs;
    /** The Referer pairs to remember as a whole if nothing fires; null when none. */
    private CleanPairMemo.Pending newRefererPairs;

    public Inspection(Request request, int maxArgs) {
        this(request, maxArgs, null, null);
    }

    /**
     * @param cleanHeaders free-text header values known to be clean (see {@link CleanValueMemo}): they are
     *                     left out of the targets, so no rule reads them again; null to inspect every header
     * @param cleanValues  the other values known to be clean: their targets are marked
     *                     {@link Target#knownClean()}; null to mark none
     */
    public Inspection(Request request, int maxArgs, CleanValueMemo cleanHeaders, CleanValueMemo cleanValues) {
        this(request, maxArgs, cleanHeaders, cleanValues, null);
    }

    /**
     * @param uriPieces how the target may be inspected as its pieces (see {@link UriPieces}), so the clean-value
     *                  memo can know them; null (or no clean-value memo) to inspect it whole
     */
    Inspection(Request request, int maxArgs, CleanValueMemo cleanHeaders, CleanValueMemo cleanValues,
               UriPieces uriPieces) {
        this(request, maxArgs, cleanHeaders, cleanValues, uriPieces, null, null);
    }

    /**
     * @param cleanPairs    query pairs known clean as a whole ({@link CleanPairMemo}), asked only while the target
     *                      is inspected as its pieces; null to ask none
     * @param refererPairs  the same for a same-site Referer's query pairs, whose name and value are header pieces
     *                      ({@link SameSiteReferer}); null to ask none
     */
    Inspection(Request request, int maxArgs, CleanValueMemo cleanHeaders, CleanValueMemo cleanValues,
               UriPieces uriPieces, CleanPairMemo cleanPairs, CleanPairMemo refererPairs) {
        this.request = request;
        this.cleanValues = cleanValues;
        this.cleanPairs = cleanPairs != null && cleanPairs.enabled() ? cleanPairs : null;
        this.refererPairs = refererPairs != null && refererPairs.enabled() ? refererPairs : null;
        String uri = request.uri();
        int q = uri.indexOf('?');
        String rawPath = q < 0 ? uri : uri.substring(0, q);
        if (rawPath.startsWith("http://") || rawPath.startsWith("https://")) {
            int slash = rawPath.indexOf('/', rawPath.indexOf("//") + 2);
            rawPath = slash < 0 ? "/" : rawPath.substring(slash);
        }
        int hash = rawPath.indexOf('#');
        if (hash >= 0) rawPath = rawPath.substring(0, hash);
        this.path = Normalizer.removeDotSegments(Normalizer.decodeRepeatedly(rawPath));
        split = uriPieces != null && cleanValues != null && addPieces(uriPieces, uri);
        if (!split) add(Target.Kind.URI, "", uri);
        add(Target.Kind.PATH, "", Normalizer.urlDecode(rawPath, false));
        if (q >= 0) {
            int h = uri.indexOf('#', q + 1);
            BodyParser.form(uri, q + 1, h < 0 ? uri.length() : h, maxArgs, this::queryPair); // read in place
        }
        // the headers' own entries (no String view of each entry made per header, as the Map.Entry iterator does)
        for (var it = request.headers().iteratorCharSequence(); it.hasNext(); ) {
            Map.Entry<CharSequence, CharSequence> h = it.next();
            KnownHeaders.Name known = KnownHeaders.spelled(h.getKey()); // no String made, lower-cased, hashed again
            String name = known != null ? known.lower() : h.getKey().toString().toLowerCase(Locale.ROOT);
            if (known == null) known = KnownHeaders.lowerCase(name); // a spelling not listed
            String value = h.getValue().toString();
            headerNames.add(name);
            headerValues.add(value);
            if (name.equals("cookie")) {
                cookies(value);
            } else if (known == null || !known.structured()) {
                if (!name.equals("referer") || !SameSiteReferer.split(value, request.host(), refererPieces(cleanHeaders, name))) {
                    header(cleanHeaders, name, value);
                }
            }
        }
        byte[] body = request.body();
        String contentType = header("content-type");
        this.bodyKind = BodyParser.kindOf(contentType, body);
        switch (bodyKind) {
            case FORM -> BodyParser.form(BodyParser.text(body), maxArgs, this::arg);
            case JSON -> {
                if (!BodyParser.json(body, maxArgs, this::arg)) {
                    bodyUnparsable = true;
                    add(Target.Kind.BODY, "", BodyParser.text(body));
                }
            }
            case XML -> BodyParser.xml(BodyParser.text(body), maxArgs, this::arg);
            case MULTIPART -> BodyParser.multipart(BodyParser.text(body), contentType, maxArgs, this::arg);
            case RAW -> add(Target.Kind.BODY, "", BodyParser.text(body));
            case NONE -> { }
        }
    }

    /**
     * The target as its pieces: nothing new if every piece is remembered clean (a whole target known clean, so
     * checks that combine parts still see it), else the pieces not remembered. False, adding nothing, when the
     * target cannot be split or a new piece has what a gate needs: then it is inspected whole.
     */
    private boolean addPieces(UriPieces uriPieces, String uri) {
        int[] bounds = UriPieces.bounds(uri);
        if (bounds == null) return false;
        int before = targets.size();
        for (int k = 0; k < bounds[0]; k++) {
            int from = bounds[2 * k + 1];
            int to = bounds[2 * k + 2];
            if (k > 0 && knownPair(uri, from, to)) continue; // the piece, its name and its value are known clean
            if (cleanValues.cleanValue(Target.Kind.URI, "", uri, from, to) != null) continue; // no string for it
            Target t = new Target(Target.Kind.URI, "", uri.substring(from, to), false);
            if (!uriPieces.gateFree(t)) {
                targets.subList(before, targets.size()).clear();
                return false;
            }
            targets.add(t);
        }
        if (targets.size() == before) targets.add(new Target(Target.Kind.URI, "", uri, true));
        return true;
    }

    /**
     * Whether the query piece {@code uri[from, to)} is a pair remembered whole ({@link CleanPairMemo}); if so it is
     * kept for {@link #queryPair}, which meets the same piece as a pair of the query.
     */
    private boolean knownPair(String uri, int from, int to) {
        if (cleanPairs == null) return false;
        int eq = uri.indexOf('=', from);
        if (eq < 0 || eq >= to) return false;
        CleanPairMemo.Pair p = cleanPairs.clean(uri, from, eq, to);
        if (p == null) return false;
        if (pairs == null) {
            pairs = new CleanPairMemo.Pair[8];
            pairBounds = new int[16];
        } else if (pairCount == pairs.length) {
            pairs = java.util.Arrays.copyOf(pairs, pairCount * 2);
            pairBounds = java.util.Arrays.copyOf(pairBounds, pairCount * 4);
        }
        pairBounds[2 * pairCount] = from;
        pairBounds[2 * pairCount + 1] = to;
        pairs[pairCount++] = p;
        return true;
    }

    /** The pair found whole for the query pair {@code [start, end)} of the target, or null. */
    private CleanPairMemo.Pair foundPair(int start, int end) {
        while (pairCursor < pairCount && pairBounds[2 * pairCursor] < start) pairCursor++;
        return pairCursor < pairCount && pairBounds[2 * pairCursor] == start && pairBounds[2 * pairCursor + 1] == end
                ? pairs[pairCursor] : null;
    }

    /** A free-text header value (or a piece of one, see {@link SameSiteReferer}), left out if known clean. */
    private void header(CleanValueMemo cleanHeaders, String name, String value) {
        if (cleanHeaders != null && cleanHeaders.isClean(Target.Kind.HEADER, name, value)) {
            skippedHeaders++;
        } else {
            add(Target.Kind.HEADER, name, value);
        }
    }

    /**
     * A same-site Referer's pieces as {@link #headerPiece} takes them, its query pairs first asked whole in
     * {@link #refererPairs} (a pair found stands for its name and value, both left out).
     */
    private SameSiteReferer.Pieces refererPieces(CleanValueMemo cleanHeaders, String name) {
        return new SameSiteReferer.Pieces() {
            @Override
            public void piece(String referer, int from, int to) {
                headerPiece(cleanHeaders, name, referer, from, to);
            }

            @Override
            public boolean pair(String referer, int from, int eq, int to) {
                if (refererPairs == null || cleanHeaders == null) return false;
                if (refererPairs.clean(referer, from, eq, to) != null) {
                    skippedHeaders += 2;
                    return true;
                }
                if (newRefererPairs == null) newRefererPairs = new CleanPairMemo.Pending();
                newRefererPairs.add(referer, from, eq, to);
                return false;
            }
        };
    }

    /** {@link #header} for {@code text[from, to)}, made a string only when it is not known clean. */
    private void headerPiece(CleanValueMemo cleanHeaders, String name, String text, int from, int to) {
        if (cleanHeaders != null && cleanHeaders.cleanValue(Target.Kind.HEADER, name, text, from, to) != null) {
            skippedHeaders++;
        } else {
            add(Target.Kind.HEADER, name, text.substring(from, to));
        }
    }

    /**
     * A pair of the query as {@link #arg} takes it, without a string made for a name or value known clean
     * (the remembered one stands for it): when the pair has no '%' or '+' its decoded name and value are its
     * text, so the memo can be asked about the text where it lies.
     */
    private void queryPair(String text, int start, int eq, int end) {
        int nameEnd = eq < 0 ? end : eq;
        CleanPairMemo.Pair pair = pairCount == 0 ? null : foundPair(start, end);
        if (pair != null) { // known whole: a piece of a split target, never a json/xml name (see below)
            argCount++;
            targets.add(new Target(Target.Kind.ARG_NAME, pair.name(), pair.name(), true));
            targets.add(new Target(Target.Kind.ARG, pair.name(), pair.value(), true));
            return;
        }
        boolean plain = eq >= 0 && text.indexOf('%', start, end) < 0 && text.indexOf('+', start, end) < 0;
        // remembered whole only where it is a piece and its name is a target of its own (not json..., not xml)
        boolean pending = split && cleanPairs != null && eq >= 0;
        if (pending && plain && !text.startsWith("json", start) && !(eq - start == 3 && text.startsWith("xml", start))) {
            if (newPairs == null) newPairs = new CleanPairMemo.Pending();
            newPairs.add(text, start, eq, end);
        }
        String name;
        if (cleanValues == null || !plain
                || (name = cleanValues.cleanName(Target.Kind.ARG_NAME, text, start, nameEnd)) == null
                || name.startsWith("json") || name.equals("xml")) {
            name = BodyParser.name(text, start, eq, end);
            String value = BodyParser.value(text, eq, end);
            // with '%' or '+' its decoded name and value are remembered with its text
            if (pending && !plain && !name.startsWith("json") && !name.equals("xml")) {
                if (newPairs == null) newPairs = new CleanPairMemo.Pending();
                newPairs.add(text, start, eq, end, name, value);
            }
            arg(name, value);
            return;
        }
        argCount++;
        targets.add(new Target(Target.Kind.ARG_NAME, name, name, true));
        String value = cleanValues.cleanValue(Target.Kind.ARG, name, text, eq + 1, end);
        if (value != null) targets.add(new Target(Target.Kind.ARG, name, value, true));
        else add(Target.Kind.ARG, name, text.substring(eq + 1, end));
    }

    /** name=value pairs separated by ';', each part trimmed as {@link String#trim} does, cut in place. */
    private void cookies(String header) {
        for (int start = 0, end; start < header.length(); start = end + 1) {
            end = header.indexOf(';', start);
            if (end < 0) end = header.length();
            int from = trimmedStart(header, start, end);
            int to = trimmedEnd(header, from, end);
            if (from == to) continue;
            int eq = header.indexOf('=', from);
            if (eq >= to) eq = -1;
            int nameEnd = eq < 0 ? to : trimmedEnd(header, from, eq);
            // a remembered name or value stands for its text (no '%' in a value: decoding leaves it as it is)
            String name = cleanValues == null ? null : cleanValues.cleanName(Target.Kind.COOKIE_NAME, header, from, nameEnd);
            if (name != null) {
                targets.add(new Target(Target.Kind.COOKIE_NAME, name, name, true));
            } else {
                name = header.substring(from, nameEnd);
                add(Target.Kind.COOKIE_NAME, name, name);
            }
            int valueStart = eq < 0 ? to : trimmedStart(header, eq + 1, to);
            String value = cleanValues == null || header.indexOf('%', valueStart, to) >= 0 ? null
                    : cleanValues.cleanValue(Target.Kind.COOKIE, name, header, valueStart, to);
            if (value != null) targets.add(new Target(Target.Kind.COOKIE, name, value, true));
            else add(Target.Kind.COOKIE, name, Normalizer.urlDecode(header.substring(valueStart, to), false));
        }
    }

    private static int trimmedStart(String s, int from, int to) {
        while (from < to && s.charAt(from) <= ' ') from++;
        return from;
    }

    private static int trimmedEnd(String s, int from, int to) {
        while (to > from && s.charAt(to - 1) <= ' ') to--;
        return to;
    }

    /** A parser's (name, value) pair; a null value means "a name on its own". */
    private void arg(String name, String value) {
        if (value == null) {
            add(Target.Kind.ARG_NAME, name, name);
            return;
        }
        argCount++;
        if (!name.startsWith("json") && !name.equals("xml")) add(Target.Kind.ARG_NAME, name, name);
        add(Target.Kind.ARG, name, value);
    }

    private void add(Target.Kind kind, String name, String raw) {
        boolean known = cleanValues != null && kind != Target.Kind.HEADER && cleanValues.isClean(kind, name, raw);
        targets.add(new Target(kind, name, raw, known));
    }

    public Request request() {
        return request;
    }

    /**
     * After a request on which nothing fired: its query pairs that were pieces of its split target, each with its
     * name's and value's targets, and its same-site Referer's query pairs, each a name and a value piece of the
     * header, remembered whole ({@link CleanPairMemo}).
     */
    void rememberPairs() {
        if (newPairs != null) newPairs.rememberIn(cleanPairs);
        if (newRefererPairs != null) newRefererPairs.rememberIn(refererPairs);
    }

    /** Decoded path with dot segments resolved: what routes and exclusions are matched against. */
    public String path() {
        return path;
    }

    /** The request's header names, lower case, in order (repeated names repeated). */
    public List<String> headerNames() {
        return headerNames;
    }

    public List<Target> targets() {
        return targets;
    }

    /**
     * The targets not {@link Target#knownClean() known clean}, in the order of {@link #targets}: what every
     * check that skips known-clean values reads, so a request's dozen remembered values are passed over once
     * here rather than once per family. Made on first use, from the targets as they are then.
     */
    public List<Target> fresh() {
        List<Target> f = fresh;
        if (f == null) {
            f = new ArrayList<>(4);
            for (Target t : targets) if (!t.knownClean()) f.add(t);
            fresh = f;
        }
        return f;
    }

    public BodyParser.Kind bodyKind() {
        return bodyKind;
    }

    public boolean bodyUnparsable() {
        return bodyUnparsable;
    }

    /** Free-text headers left out because they were known to be clean. */
    public int skippedHeaders() {
        return skippedHeaders;
    }

    public int argCount() {
        return argCount;
    }

    /**
     * The request's first value of this header, as {@code request().header(name)} gives it, read from the names
     * and values taken apart above (a linear search of a few lower-case names) rather than the request's hash
     * table: the rules ask some twenty times per request, and each of those lookups hashed the name again.
     *
     * @param name lower case
     */
    public String header(String name) {
        for (int i = 0; i < headerNames.size(); i++) if (headerNames.get(i).equals(name)) return headerValues.get(i);
        return null;
    }
}
