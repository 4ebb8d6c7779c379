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
    private final int classes;
    /** next[state * classes + class]: the automaton's transition table, failure links folded in. */
    private final int[] next;
    /** Literal ids that end at each state (including those ending at its suffixes), or null. */
    private final int[][] output;

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
        int[] fail = new int[states];
        this.next = new int[states * classes];
        this.output = new int[states][];
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
        for (int s = 0; s < states; s++) {
            List<Integer> out = ends.get(s);
            if (!out.isEmpty()) output[s] = out.stream().mapToInt(Integer::intValue).distinct().toArray();
        }
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

    /** Bit i of the result is set when literal i occurs in {@code value}; {@link #NONE} when none does. */
    public long[] scan(String value) {
        long[] hits = null;
        int s = 0;
        int[] table = next;
        int k = classes;
        boolean wide = !wideClass.isEmpty();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            s = table[s * k + (c < 128 ? asciiClass[c] : wide ? wideClass.getOrDefault(c, 0) : 0)];
            int[] out = output[s];
            if (out != null) {
                if (hits == null) hits = new long[(ids.size() + 63) >>> 6];
                for (int id : out) hits[id >>> 6] |= 1L << id;
            }
        }
        return hits == null ? NONE : hits;
    }
}
