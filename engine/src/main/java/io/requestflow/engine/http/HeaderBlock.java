package io.requestflow.engine.http;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.util.AsciiString;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A response's header lines kept as the bytes they arrived in (already checked, hop-by-hop lines and
 * the framing headers left out), so a proxy can send them on without parsing every header into
 * objects and encoding it again. A hop may still read a header, replace one or add one; replaced
 * lines are skipped when the block is written, and new ones follow it. {@link #toHeaders} turns the
 * block into ordinary headers for code that needs them.
 */
public final class HeaderBlock {
    private static final HttpHeadersFactory TRUSTED = DefaultHttpHeadersFactory.headersFactory().withValidation(false);
    private static final byte[] COLON_SPACE = {':', ' '};
    private static final byte[] CRLF = {'\r', '\n'};

    /** The bytes the lines are in, each line "name:value\r\n" as received. */
    private final byte[] bytes;
    /** Per line: start, name length, value start, value end (OWS trimmed), line end (after CRLF). */
    private final int[] lines;
    private final int count;
    private final long contentLength;
    /** Bit i set: line i is not sent on (framing, hop-by-hop, or replaced). At most 64 lines. */
    private long dropped;
    private List<AsciiString> addedNames;
    private List<String> addedValues;

    /**
     * @param lines five ints per line as described above
     * @param dropped lines (by bit) left out: the framing and hop-by-hop ones
     * @param contentLength the message's Content-Length (written by whoever frames the message)
     */
    public HeaderBlock(byte[] bytes, int[] lines, int count, long dropped, long contentLength) {
        if (count > 64) throw new IllegalArgumentException("at most 64 lines");
        this.bytes = bytes;
        this.lines = lines;
        this.count = count;
        this.dropped = dropped;
        this.contentLength = contentLength;
    }

    public long contentLength() {
        return contentLength;
    }

    /** The first value of {@code name} (case-insensitive), or null. */
    public String get(CharSequence name) {
        if (addedNames != null) {
            for (int i = 0; i < addedNames.size(); i++) {
                if (addedNames.get(i).contentEqualsIgnoreCase(name)) return addedValues.get(i);
            }
        }
        for (int i = 0; i < count; i++) {
            if ((dropped & (1L << i)) == 0 && nameIs(i, name)) {
                int at = i * 5;
                return new String(bytes, lines[at + 2], lines[at + 3] - lines[at + 2], StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    /** Replaces every value of {@code name} with {@code value}. */
    public void set(AsciiString name, String value) {
        for (int i = 0; i < count; i++) if (nameIs(i, name)) dropped |= 1L << i;
        if (addedNames == null) {
            addedNames = new ArrayList<>(2);
            addedValues = new ArrayList<>(2);
        } else {
            for (int i = 0; i < addedNames.size(); i++) {
                if (addedNames.get(i).contentEqualsIgnoreCase(name)) {
                    addedValues.set(i, value);
                    return;
                }
            }
        }
        addedNames.add(name);
        addedValues.add(value);
    }

    private boolean nameIs(int line, CharSequence name) {
        int at = line * 5;
        int length = lines[at + 1];
        if (length != name.length()) return false;
        int start = lines[at];
        for (int i = 0; i < length; i++) {
            int a = bytes[start + i] & 0xff;
            int b = name.charAt(i);
            if (a != b && toLower(a) != toLower(b)) return false;
        }
        return true;
    }

    private static int toLower(int c) {
        return c >= 'A' && c <= 'Z' ? c + 32 : c;
    }

    /** Writes the kept lines (replaced ones left out) and the added ones; not the Content-Length. */
    public void writeTo(ByteBuf out) {
        HeadBytes head = HeadBytes.take();
        writeTo(head);
        head.writeTo(out);
    }

    /** As above, into a head being assembled. */
    public void writeTo(HeadBytes out) {
        // runs of adjacent kept lines go out as one copy each
        int run = -1;
        int runEnd = -1;
        for (int i = 0; i < count; i++) {
            int at = i * 5;
            if ((dropped & (1L << i)) != 0) {
                if (run >= 0) out.put(bytes, run, runEnd - run);
                run = -1;
            } else {
                if (run < 0) run = lines[at];
                runEnd = lines[at + 4];
            }
        }
        if (run >= 0) out.put(bytes, run, runEnd - run);
        if (addedNames != null) {
            for (int i = 0; i < addedNames.size(); i++) {
                out.put(addedNames.get(i)).put(COLON_SPACE).putFieldValue(addedValues.get(i)).put(CRLF);
            }
        }
    }

    /** The block as ordinary headers, Content-Length included. */
    public HttpHeaders toHeaders() {
        HttpHeaders headers = TRUSTED.newHeaders();
        for (int i = 0; i < count; i++) {
            if ((dropped & (1L << i)) != 0) continue;
            int at = i * 5;
            headers.add(new AsciiString(bytes, lines[at], lines[at + 1], true),
                    new String(bytes, lines[at + 2], lines[at + 3] - lines[at + 2], StandardCharsets.ISO_8859_1));
        }
        if (addedNames != null) {
            for (int i = 0; i < addedNames.size(); i++) headers.set(addedNames.get(i), addedValues.get(i));
        }
        headers.set(HttpHeaderNames.CONTENT_LENGTH, Long.toString(contentLength));
        return headers;
    }
}
