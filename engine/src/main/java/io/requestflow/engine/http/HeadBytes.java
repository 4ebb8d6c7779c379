package io.requestflow.engine.http;

import io.netty.buffer.ByteBuf;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.FastThreadLocal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A message head assembled in a plain byte array, then copied into its buffer at once: a head written
 * piece by piece into a {@code ByteBuf} pays Netty's bounds, capacity and reference-count checks on
 * every piece (a dozen per head). One per thread, reused; {@link #take} starts it anew.
 */
public final class HeadBytes {
    private static final FastThreadLocal<HeadBytes> PER_THREAD = new FastThreadLocal<>() {
        @Override
        protected HeadBytes initialValue() {
            return new HeadBytes();
        }
    };

    private byte[] bytes = new byte[1024];
    private int size;

    private HeadBytes() {}

    /** This thread's instance, emptied. */
    public static HeadBytes take() {
        HeadBytes head = PER_THREAD.get();
        head.size = 0;
        return head;
    }

    public int size() {
        return size;
    }

    private void room(int more) {
        if (size + more > bytes.length) bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
    }

    public HeadBytes put(byte b) {
        room(1);
        bytes[size++] = b;
        return this;
    }

    public HeadBytes put(byte[] b) {
        return put(b, 0, b.length);
    }

    public HeadBytes put(byte[] b, int from, int length) {
        room(length);
        System.arraycopy(b, from, bytes, size, length);
        size += length;
        return this;
    }

    public HeadBytes put(AsciiString s) {
        return put(s.array(), s.arrayOffset(), s.length());
    }

    /** One byte per character, '?' for one beyond Latin-1 (as Netty's HTTP encoder writes header text). */
    public HeadBytes putLatin1(CharSequence s) {
        if (s instanceof AsciiString ascii) return put(ascii);
        // a Latin-1 string's bytes come out in one array copy (the JDK's own encoder); char by char is slower
        if (s instanceof String str) return put(str.getBytes(StandardCharsets.ISO_8859_1));
        int n = s.length();
        room(n);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            bytes[size++] = c > 0xff ? (byte) '?' : (byte) c;
        }
        return this;
    }

    /** As {@link #putLatin1}, and a control character (tab aside) or DEL becomes '?': a value we add cannot break a line. */
    public HeadBytes putFieldValue(CharSequence s) {
        int start = size;
        putLatin1(s);
        for (int i = start; i < size; i++) {
            byte b = bytes[i];
            if ((b >= 0 && b < 0x20 && b != '\t') || b == 0x7f) bytes[i] = '?';
        }
        return this;
    }

    /** A non-negative number in decimal. */
    public HeadBytes putDecimal(long value) {
        if (value < 10) return put((byte) ('0' + value));
        int digits = 0;
        for (long v = value; v > 0; v /= 10) digits++;
        room(digits);
        for (int i = size + digits - 1; i >= size; i--) {
            bytes[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
        size += digits;
        return this;
    }

    /** Copies what was put into {@code out}. */
    public void writeTo(ByteBuf out) {
        out.writeBytes(bytes, 0, size);
    }
}
