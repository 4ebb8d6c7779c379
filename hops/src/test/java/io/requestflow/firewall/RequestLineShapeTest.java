package io.requestflow.firewall;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The request line's method and version checks are the regexes they replaced. */
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
}
