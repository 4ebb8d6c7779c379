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
     * The automaton as a full transition table, one row of {@code classes} entries per state, states
     * numbered breadth first (the shallow states that most characters lead to share a few rows). An entry
     * is the next state, with {@link #EMITS} set when that state ends a literal: a step reads one entry and
     * nothing else unless a literal ends there. Why a full table (1.2 MB for the WAF's literals) and not the
     * trie edges with failure links it replaced (about 250 KB): inside the hop the WAF runs with its data
     * evicted from the caches by everything else between two requests, and a step then cost a cache miss
     * per array it read (edge lists, targets, failure link, outputs: four or five, more along a failure
     * chain), where a table row costs one.
     */
    private final char[] next;
    /** Literal ids that end at state s (including those ending at its suffixes): outIds[outStart[s] .. outStart[s + 1]). */
    private final int[] outStart;
    private final int[] outIds;
    /**
     * The literals of one ASCII character are not in the automaton: whether one occurs is whether the value holds
     * that character, which the caller's character mask says at once ({@link #scan(String, long, long)}). Left in,
     * they made nearly every step of every scan end a literal (the WAF's literals include most single letters and
     * digits), each such step reading the state's list of literals. Per ASCII character its literal's id, or -1;
     * the characters that are such literals as masks (bit c of the low word, bit c - 64 of the high word).
     */
    private final int[] singleIds = new int[128];
    private long singleLo;
    private long singleHi;
    /** Entry bit of {@link #next}: the state ends a literal; the other 15 bits are the state. */
    private static final char EMITS = 0x8000;

    public LiteralScanner(Collection<String> literals) {
        for (String l : literals) {
            if (l.isEmpty()) throw new IllegalArgumentException("empty literal");
            ids.putIfAbsent(l, ids.size());
        }
        java.util.Arrays.fill(singleIds, -1);
        Map<String, Integer> automaton = new LinkedHashMap<>();
        for (var e : ids.entrySet()) {
            String l = e.getKey();
            if (l.length() == 1 && l.charAt(0) < 128) {
                char c = l.charAt(0);
                singleIds[c] = e.getValue();
                if (c < 64) singleLo |= 1L << c;
                else singleHi |= 1L << (c - 64);
            } else {
                automaton.put(l, e.getValue());
            }
        }
        int k = 1;
        for (String l : automaton.keySet()) {
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
        for (var e : automaton.entrySet()) {
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
        if (states > EMITS) {
            throw new IllegalArgumentException("literal automaton of " + states + " states, at most " + (int) EMITS);
        }
        int[] fail = new int[states];
        int[] next = new int[states * classes];
        int[] order = new int[states]; // breadth first: the new number of a state is its place here
        int placed = 1;
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        for (int c = 0; c < classes; c++) {
            int child = trie.get(0)[c];
            if (child < 0) {
                next[c] = 0;
            } else {
                next[c] = child;
                fail[child] = 0;
                queue.add(child);
                order[placed++] = child;
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
                    order[placed++] = child;
                }
            }
        }
        int[] number = new int[states];
        for (int i = 0; i < states; i++) number[order[i]] = i;
        this.next = new char[states * classes];
        this.outStart = new int[states + 1];
        List<Integer> outs = new ArrayList<>();
        for (int i = 0; i < states; i++) {
            int s = order[i];
            outStart[i] = outs.size();
            ends.get(s).stream().distinct().forEach(outs::add);
            for (int c = 0; c < classes; c++) {
                int to = next[s * classes + c];
                this.next[i * classes + c] = (char) (number[to] | (ends.get(to).isEmpty() ? 0 : EMITS));
            }
        }
        outStart[states] = outs.size();
        this.outIds = outs.stream().mapToInt(Integer::intValue).toArray();
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
        long[] chars = Target.maskOf(value);
        return scan(value, chars[0], chars[1]);
    }

    /**
     * As {@link #scan(String)}, told which ASCII characters {@code value} holds (bit c of {@code lo}, bit c - 64 of
     * {@code hi}; exactly those), which answer for the literals of one ASCII character.
     */
    public long[] scan(String value, long lo, long hi) {
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
            char entry = next[s * classes + c];
            s = entry & ~EMITS;
            if ((entry & EMITS) != 0) {
                if (hits == null) hits = new long[words() + 1];
                for (int k = outStart[s], to = outStart[s + 1]; k < to; k++) hits[outIds[k] >>> 6] |= 1L << outIds[k];
            }
        }
        long singles = lo & singleLo;
        long singlesHi = hi & singleHi;
        if ((singles | singlesHi) != 0) {
            if (hits == null) hits = new long[words() + 1];
            for (; singles != 0; singles &= singles - 1) {
                int id = singleIds[Long.numberOfTrailingZeros(singles)];
                hits[id >>> 6] |= 1L << id;
            }
            for (; singlesHi != 0; singlesHi &= singlesHi - 1) {
                int id = singleIds[64 + Long.numberOfTrailingZeros(singlesHi)];
                hits[id >>> 6] |= 1L << id;
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
}
