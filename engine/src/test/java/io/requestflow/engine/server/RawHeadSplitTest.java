package io.requestflow.engine.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class RawHeadSplitTest {
    @Test
    void splitsAsTheByteByByteLoopItReplaced() {
        List<String> heads = new ArrayList<>(List.of("", "\r\n", "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
                "GET / HTTP/1.1\nHost: x\n\n", "GET / HTTP/1.1\r\nA: b\rc\r\n\r\n", "\r\n\r\nGET / HTTP/1.1\r\n\r\n",
                "GET / HTTP/1.1\r\nA: 1\r\n\n", "GET / HTTP/1.1\r\nA: 1\r", "GET / HTTP/1.1\r\r\n\r\n", "\n\rGET"));
        String[] pieces = {"GET / HTTP/1.1", "Host: x", "A: 1", "\r\n", "\r\n", "\r\n", "\n", "\r", "\r\r", " ", ":"};
        Random random = new Random(20261122L);
        for (int n = 0; n < 100_000; n++) {
            StringBuilder b = new StringBuilder();
            for (int k = random.nextInt(10); k >= 0; k--) b.append(pieces[random.nextInt(pieces.length)]);
            heads.add(b.toString());
        }
        int problems = 0;
        for (String text : heads) {
            byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
            Lines expected = byteByByte(bytes);
            RawHead actual = RawHead.split(bytes);
            String shown = text.replace("\r", "\\r").replace("\n", "\\n");
            assertThat(actual.lineProblem()).as("problem in %s", shown).isEqualTo(expected.lineProblem());
            assertThat(actual.lines()).as("lines of %s", shown)
                    .usingElementComparator(java.util.Arrays::compare).isEqualTo(expected.lines());
            if (expected.lineProblem() != null) problems++;
        }
        assertThat(problems).as("heads with a bare CR or LF").isGreaterThan(10_000);
    }

    @Test
    void findsTheHeadsEndAsTheByteByByteLoopItReplaced() {
        String[] pieces = {"GET / HTTP/1.1", "Host: x", "A: 1", "\r\n", "\r\n", "\n", "\r", "\r\r", " ", "xxxxxxxxxxxx"};
        Random random = new Random(20261123L);
        int ended = 0;
        for (int n = 0; n < 100_000; n++) {
            StringBuilder b = new StringBuilder();
            for (int k = random.nextInt(14); k >= 0; k--) b.append(pieces[random.nextInt(pieces.length)]);
            byte[] bytes = b.toString().getBytes(StandardCharsets.ISO_8859_1);
            // read from an offset, as the guard reads a buffer it has consumed part of
            int offset = random.nextInt(4);
            ByteBuf buf = Unpooled.buffer(bytes.length + offset).writeZero(offset).writeBytes(bytes).skipBytes(offset);
            int expected = headEndByteByByte(buf);
            assertThat(RawRequestGuard.headEnd(buf)).as("end of %s", b.toString().replace("\r", "\\r")
                    .replace("\n", "\\n")).isEqualTo(expected);
            if (expected >= 0) ended++;
            buf.release();
        }
        assertThat(ended).as("heads with an end").isGreaterThan(10_000);
    }

    /** The search as it was: every byte read through the buffer's checked accessor. */
    private static int headEndByteByByte(ByteBuf buf) {
        int start = buf.readerIndex();
        while (start < buf.writerIndex() && (buf.getByte(start) == '\r' || buf.getByte(start) == '\n')) start++;
        for (int i = start; i < buf.writerIndex(); i++) {
            if (buf.getByte(i) != '\n') continue;
            int j = i + 1;
            if (j < buf.writerIndex() && buf.getByte(j) == '\r') j++;
            if (j < buf.writerIndex() && buf.getByte(j) == '\n') return j + 1;
        }
        return -1;
    }

    @Test
    void headerNamesAreMatchedTrimmedAndInAnyCase() {
        byte[] line = " Content-LENGTH\t: 5".getBytes(StandardCharsets.ISO_8859_1);
        int colon = line.length - 3;
        assertThat(HeaderLine.named(line, 0, colon, "content-length")).isTrue();
        assertThat(HeaderLine.named(line, 0, colon, "content-lengths")).isFalse();
        byte[] other = "Content-Lengtx: 5".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(HeaderLine.named(other, 0, 14, "content-length")).isFalse();
        // read in place, as lines of a whole head are
        byte[] head = "GET / HTTP/1.1\r\n Content-LENGTH\t: 5\r\nX: y:z\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
        RawHead split = RawHead.split(head);
        assertThat(split.headerCount()).isEqualTo(2);
        int at = HeaderLine.colon(head, split.start(0), split.end(0));
        assertThat(at - split.start(0)).isEqualTo(colon);
        assertThat(HeaderLine.named(head, split.start(0), at, "content-length")).isTrue();
        assertThat(HeaderLine.named(head, split.start(1), HeaderLine.colon(head, split.start(1), split.end(1)), "x")).isTrue();
        assertThat(HeaderLine.colon(head, split.start(1) + 2, split.end(1)) - split.start(1)).as("from where it is asked").isEqualTo(4);
        RawHead of = RawHead.of("GET / HTTP/1.1", List.of(" Content-LENGTH\t: 5".getBytes(StandardCharsets.ISO_8859_1),
                "X: y:z".getBytes(StandardCharsets.ISO_8859_1)), null);
        assertThat(of.lines()).usingElementComparator(java.util.Arrays::compare).isEqualTo(split.lines());
        assertThat(of.requestLine()).isEqualTo("GET / HTTP/1.1");
    }

    /** The loop as it was: one byte at a time into a stream, a CR dropped only right before an LF. */
    private record Lines(List<byte[]> lines, String lineProblem) {}

    private static Lines byteByByte(byte[] bytes) {
        int i = 0;
        while (i < bytes.length && (bytes[i] == '\r' || bytes[i] == '\n')) i++;
        List<byte[]> lines = new ArrayList<>();
        String lineProblem = null;
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (; i < bytes.length; i++) {
            byte b = bytes[i];
            if (b == '\n') {
                if (line.size() == 0 && !lines.isEmpty()) break;
                if (i == 0 || bytes[i - 1] != '\r') {
                    if (lineProblem == null) lineProblem = "bare LF";
                }
                lines.add(line.toByteArray());
                line.reset();
            } else if (b == '\r') {
                if (i + 1 >= bytes.length || bytes[i + 1] != '\n') {
                    if (lineProblem == null) lineProblem = "bare CR";
                    line.write(b);
                }
            } else {
                line.write(b);
            }
        }
        return new Lines(lines, lineProblem);
    }
}
