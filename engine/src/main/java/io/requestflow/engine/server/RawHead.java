package io.requestflow.engine.server;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A request head as received, for a {@link RawRequestInspector}: its bytes and where each line lies in them (line
 * ending stripped, a CR not followed by LF kept: it is a defect), up to the blank line, with leading blank lines
 * skipped. The lines are read in place: the head of every request on a guarded listener goes through here, and a
 * copy of each line (and a list of them) was most of what the raw checks allocated.
 */
public final class RawHead {
    private final byte[] bytes;
    /** Each line's start and end in {@link #bytes}, two entries per line. */
    private final int[] bounds;
    private final int lines;
    private final String lineProblem;

    RawHead(byte[] bytes, int[] bounds, int lines, String lineProblem) {
        this.bytes = bytes;
        this.bounds = bounds;
        this.lines = lines;
        this.lineProblem = lineProblem;
    }

    /** A head of the given lines joined by CRLF (for callers that have its lines rather than its bytes). */
    public static RawHead of(String requestLine, List<byte[]> headerLines, String lineProblem) {
        List<byte[]> all = new ArrayList<>(headerLines.size() + 1);
        all.add(requestLine.getBytes(StandardCharsets.ISO_8859_1));
        all.addAll(headerLines);
        int size = 0;
        for (byte[] l : all) size += l.length + 2;
        byte[] bytes = new byte[size];
        int[] bounds = new int[2 * all.size()];
        int at = 0;
        for (int i = 0; i < all.size(); i++) {
            byte[] l = all.get(i);
            System.arraycopy(l, 0, bytes, at, l.length);
            bounds[2 * i] = at;
            bounds[2 * i + 1] = at + l.length;
            at += l.length;
            bytes[at++] = '\r';
            bytes[at++] = '\n';
        }
        return new RawHead(bytes, bounds, all.size(), lineProblem);
    }

    /**
     * Lines as the guard finds them in {@code bytes} (see above), and the first line-ending defect in byte order
     * ("bare CR", "bare LF") or null.
     */
    static RawHead split(byte[] bytes) {
        // the bytes as Latin-1 text (one copy) for the JDK's vectorised indexOf, instead of a loop per byte
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        int start = 0;
        while (start < bytes.length && (bytes[start] == '\r' || bytes[start] == '\n')) start++;
        int[] bounds = new int[32];
        int lines = 0;
        String problem = null;
        boolean blankLine = false;
        for (int lf = text.indexOf('\n', start); lf >= 0; lf = text.indexOf('\n', start)) {
            int end = lf > start && bytes[lf - 1] == '\r' ? lf - 1 : lf; // a CR before the LF ends the line with it
            if (end == start && lines > 0) { // the blank line: the head is over
                blankLine = true;
                break;
            }
            if (problem == null && text.indexOf('\r', start, end) >= 0) problem = "bare CR";
            if (problem == null && (lf == 0 || bytes[lf - 1] != '\r')) problem = "bare LF";
            if (2 * lines == bounds.length) bounds = Arrays.copyOf(bounds, bounds.length * 2);
            bounds[2 * lines] = start;
            bounds[2 * lines++ + 1] = end;
            start = lf + 1;
        }
        if (!blankLine && problem == null && text.indexOf('\r', start, bytes.length) >= 0) problem = "bare CR";
        return new RawHead(bytes, bounds, lines, problem);
    }

    /** The first line-ending defect seen in the head (bare CR, bare LF), or null. */
    public String lineProblem() {
        return lineProblem;
    }

    /** The first line as text (Latin-1), or null for a head without lines. */
    public String requestLine() {
        return lines == 0 ? null : new String(bytes, bounds[0], bounds[1] - bounds[0], StandardCharsets.ISO_8859_1);
    }

    /** Lines, the request line included. */
    public int lineCount() {
        return lines;
    }

    /** Header lines after the request line. */
    public int headerCount() {
        return Math.max(0, lines - 1);
    }

    /** The bytes the lines lie in: read only, never changed. */
    public byte[] bytes() {
        return bytes;
    }

    /** Where header line {@code i} (0 for the first after the request line) starts in {@link #bytes}. */
    public int start(int i) {
        return bounds[2 * i + 2];
    }

    /** Where header line {@code i} ends in {@link #bytes} (its line ending not included). */
    public int end(int i) {
        return bounds[2 * i + 3];
    }

    /** Every line, request line first, each as a copy of its bytes. */
    public List<byte[]> lines() {
        List<byte[]> out = new ArrayList<>(lines);
        for (int i = 0; i < lines; i++) out.add(Arrays.copyOfRange(bytes, bounds[2 * i], bounds[2 * i + 1]));
        return out;
    }
}
