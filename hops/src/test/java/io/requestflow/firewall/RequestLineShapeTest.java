package io.requestflow.firewall;

import io.requestflow.engine.http.Response;
import io.requestflow.firewall.waf.AuditLog;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The request line's method and version checks are the regexes they replaced, and the line read in place gives the
 * answers of the line split in three.
 */
class RequestLineShapeTest {
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final Pattern VERSION = Pattern.compile("HTTP/\\d\\.\\d");

    @Test
    void methodAndVersionChecksMatchTheRegexes() {
        List<String> tried = new ArrayList<>(List.of("", "GET", "get", "M-SEARCH", "GE T", "GET\u0000", "G\u00c9T",
                "HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/1.", "HTTP/11", "http/1.1", "HTTP/1.1 ", "HTTP/\u0661.1",
                "HTTP/a.b", "HTTP/1x1", "HTTP/1.10"));
        String alphabet = "GETPOSHTP/.0123456789 -_!#$%&'*+^`|~\"(),:;<=>?@[\\]{}\u0000\u007f\u00e9\u0661\u0130";
        Random random = new Random(20261122L);
        for (int n = 0; n < 200_000; n++) {
            StringBuilder b = new StringBuilder(n % 3 == 0 ? "HTTP/" : "");
            for (int k = random.nextInt(n % 3 == 0 ? 4 : 9); k > 0; k--) b.append(alphabet.charAt(random.nextInt(alphabet.length())));
            tried.add(b.toString());
        }
        for (int major = 0; major < 10; major++) for (int minor = 0; minor < 10; minor++) tried.add("HTTP/" + major + "." + minor);
        int tokens = 0;
        int versions = 0;
        for (String s : tried) {
            boolean token = TOKEN.matcher(s).matches();
            boolean version = VERSION.matcher(s).matches();
            assertThat(RawProtocolInspector.isToken(s)).as("token %s", s).isEqualTo(token);
            assertThat(RawProtocolInspector.isVersion(s)).as("version %s", s).isEqualTo(version);
            if (token) tokens++;
            if (version) versions++;
        }
        assertThat(tokens).isGreaterThan(1000);
        assertThat(versions).isGreaterThanOrEqualTo(100);
    }

    @Test
    void requestLineReadInPlaceAnswersAsTheSplitLine() {
        RawProtocolInspector inspector = new RawProtocolInspector(AuditLog.open(null));
        String[] methods = {"GET", "POST", "G T", "GE\u00c9", "", "M-SEARCH", "x"};
        String[] targets = {"/", "/a?b=c", "/\u0000", "/\u007f", "/\t", "/\u00e9", "", "/a b", "*"};
        String[] versions = {"HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/1.", "HTTP/1.1 ", "http/1.1", "", "HTTP/1.1 x"};
        String[] separators = {" ", " ", " ", " ", "", "  ", "\t"};
        Random random = new Random(23L);
        int[] answers = new int[3];
        for (int n = 0; n < 100_000; n++) {
            StringBuilder b = new StringBuilder();
            b.append(methods[random.nextInt(methods.length)]).append(separators[random.nextInt(separators.length)]);
            b.append(targets[random.nextInt(targets.length)]).append(separators[random.nextInt(separators.length)]);
            b.append(versions[random.nextInt(versions.length)]);
            String line = b.toString();
            List<byte[]> headers = random.nextBoolean() ? List.of()
                    : List.of("transfer-encoding: chunked".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            int expected = splitAnswer(line, !headers.isEmpty());
            Response r = inspector.inspect(io.requestflow.engine.server.RawHead.of(line, headers, null), null);
            int actual = r == null ? 0 : r.status();
            assertThat(actual).as("[%s] %s", line, headers.size()).isEqualTo(expected);
            answers[expected == 0 ? 0 : expected == 400 ? 1 : 2]++;
        }
        for (int count : answers) assertThat(count).as("each answer seen").isGreaterThan(500);
    }

    /** What the inspector answered when it split the line in three (0 for none): 400 malformed, 403 refused. */
    private static int splitAnswer(String line, boolean chunked) {
        String[] parts = line.split(" ", -1);
        if (parts.length != 3 || !TOKEN.matcher(parts[0]).matches() || parts[1].isEmpty()
                || !VERSION.matcher(parts[2]).matches() || parts[1].chars().anyMatch(c -> c < 0x21 || c == 0x7f)) {
            return 400;
        }
        if (!parts[2].equals("HTTP/1.0") && !parts[2].equals("HTTP/1.1")) return 403;
        return chunked && parts[2].equals("HTTP/1.0") ? 403 : 0;
    }
}
