package io.requestflow.firewall.waf;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds which of a fixed set of literals occur in a value, in one pass over the value (an Aho–Corasick
 * automaton compiled to a table). The WAF uses it to run a rule's regex only when the literals that
 * regex cannot match without are present.
 */
public final class LiteralScanner {
    private final Map<String, Integer> ids = new LinkedHashMap<>();
    /** Character class of each ASCII character; class 0 is "in no literal". */
    private final int[] asciiClass = new int[128];
    private final Map<Character, Integer> wideClass = new HashMap<>();
    /** The same for scanning without boxing: the non-ASCII characters in literals, sorted, and their classes. */
    private final char[] wideChars;
    private final int[] wideClasses;
    private final int classes;
    /**
     * The automaton kept small, so that scanning stays in the processor's caches next to the rest of a
     * request's work (a full transition table is states x classes, megabytes for the WAF's literals):
     * the root's transitions as a table, every other state's trie edges as a short list (class, target)
     * from {@code edgeStart[s]} to {@code edgeStart[s + 1]}, and a failure link to follow when none fits.
     */
    private final int[] rootNext;
    private final int[] edgeStart;
    private final char[] edgeClass;
    private final int[] edgeTarget;
    private final int[] fail;
    /** Literal ids that end at state s (including those ending at its suffixes): outIds[outStart[s] .. outStart[s + 1]). */
    private final int[] outStart;
    private final int[] outIds;

    public LiteralScanner(Collection<String> literals) {
        for (String l : literals) {
            if (l.isEmpty()) throw new IllegalArgumentException("empty literal");
            ids.putIfAbsent(l, ids.size());
        }
        int k = 1;
        for (String l : ids.keySet()) {
            for (int i = 0; i < l.length(); i++) {
                char c = l.charAt(i);
                if (c < 128) {
                    if (asciiClass[c] == 0) asciiClass[c] = k++;
                } else if (!wideClass.containsKey(c)) {
                    wideClass.put(c, k++);
                }
            }
        }
        this.classes = k;
        this.wideChars = new char[wideClass.size()];
        this.wideClasses = new int[wideClass.size()];
        int w = 0;
        for (char c : new java.util.TreeSet<>(wideClass.keySet())) {
            wideChars[w] = c;
            wideClasses[w++] = wideClass.get(c);
        }
        List<int[]> trie = new ArrayList<>();
        List<List<Integer>> ends = new ArrayList<>();
        trie.add(filled(classes));
        ends.add(new ArrayList<>());
        for (var e : ids.entrySet()) {
            int s = 0;
            String l = e.getKey();
            for (int i = 0; i < l.length(); i++) {
                int c = classOf(l.charAt(i));
                if (trie.get(s)[c] < 0) {
                    trie.get(s)[c] = trie.size();
                    trie.add(filled(classes));
                    ends.add(new ArrayList<>());
                }
                s = trie.get(s)[c];
            }
            ends.get(s).add(e.getValue());
        }
        int states = trie.size();
        if (classes > Character.MAX_VALUE) throw new IllegalArgumentException("too many distinct characters");
        int[] fail = new int[states];
        int[] next = new int[states * classes]; // the full table, only while building the failure links
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        for (int c = 0; c < classes; c++) {
            int child = trie.get(0)[c];
            if (child < 0) {
                next[c] = 0;
            } else {
                next[c] = child;
                fail[child] = 0;
                queue.add(child);
            }
        }
        while (!queue.isEmpty()) {
            int s = queue.poll();
            List<Integer> out = ends.get(s);
            out.addAll(ends.get(fail[s]));
            for (int c = 0; c < classes; c++) {
                int child = trie.get(s)[c];
                if (child < 0) {
                    next[s * classes + c] = next[fail[s] * classes + c];
                } else {
                    next[s * classes + c] = child;
                    fail[child] = next[fail[s] * classes + c];
                    queue.add(child);
                }
            }
        }
        this.fail = fail;
        this.rootNext = java.util.Arrays.copyOf(next, classes);
        this.edgeStart = new int[states + 1];
        List<int[]> edges = new ArrayList<>();
        for (int st = 0; st < states; st++) {
            edgeStart[st] = edges.size();
            if (st == 0) continue; // the root answers from rootNext
            for (int c = 0; c < classes; c++) {
                int child = trie.get(st)[c];
                if (child >= 0) edges.add(new int[] {c, child});
            }
        }
        edgeStart[states] = edges.size();
        this.edgeClass = new char[edges.size()];
        this.edgeTarget = new int[edges.size()];
        for (int e = 0; e < edges.size(); e++) {
            edgeClass[e] = (char) edges.get(e)[0];
            edgeTarget[e] = edges.get(e)[1];
        }
        this.outStart = new int[states + 1];
        List<Integer> ids = new ArrayList<>();
        for (int st = 0; st < states; st++) {
            outStart[st] = ids.size();
            ends.get(st).stream().distinct().forEach(ids::add);
        }
        outStart[states] = ids.size();
        this.outIds = ids.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int[] filled(int n) {
        int[] a = new int[n];
        Arrays.fill(a, -1);
        return a;
    }

    private int classOf(char c) {
        return c < 128 ? asciiClass[c] : wideClass.getOrDefault(c, 0);
    }

    /** The id of a literal given to the constructor. */
    public int id(String literal) {
        Integer id = ids.get(literal);
        if (id == null) throw new IllegalArgumentException("unknown literal " + literal);
        return id;
    }

    public int size() {
        return ids.size();
    }

    /** What {@link #scan} answers when no literal occurs (shared, never written). */
    public static final long[] NONE = new long[0];

    /** Words of 64 literal bits in a scan's result, before its summary word (see {@link #scan}). */
    public int words() {
        return (ids.size() + 63) >>> 6;
    }

    /**
     * Bit i of the result is set when literal i occurs in {@code value}; {@link #NONE} when none does.
     * When {@link #words()} is at most 64 the result has one more word, its summary: bit w set when
     * word w holds a hit, so a reader can visit only those words.
     */
    public long[] scan(String value) {
        long[] hits = null;
        int s = 0;
        char[] wideChars = this.wideChars;
        boolean wide = wideChars.length > 0;
        char wideMin = wide ? wideChars[0] : 0;
        char wideMax = wide ? wideChars[wideChars.length - 1] : 0;
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            int c = ch < 128 ? asciiClass[ch] : wide && ch >= wideMin && ch <= wideMax ? wideClassOf(ch) : 0;
            if (c == 0) { // in no literal: no literal spans it
                s = 0;
                continue;
            }
            s = step(s, c);
            int from = outStart[s];
            int to = outStart[s + 1];
            if (from < to) {
                if (hits == null) hits = new long[words() + 1];
                for (int k = from; k < to; k++) hits[outIds[k] >>> 6] |= 1L << outIds[k];
            }
        }
        if (hits == null) return NONE;
        int words = hits.length - 1;
        if (words <= 64) {
            long summary = 0;
            for (int w = 0; w < words; w++) if (hits[w] != 0) summary |= 1L << w;
            hits[words] = summary;
        }
        return hits;
    }

    private int wideClassOf(char ch) {
        int i = Arrays.binarySearch(wideChars, ch);
        return i < 0 ? 0 : wideClasses[i];
    }

    /** The state after reading a character of class {@code c} in state {@code s}: a trie edge, else the failure links'. */
    private int step(int s, int c) {
        while (s != 0) {
            for (int e = edgeStart[s], end = edgeStart[s + 1]; e < end; e++) {
                if (edgeClass[e] == c) return edgeTarget[e];
            }
            s = fail[s];
        }
        return rootNext[c];
    }
}
