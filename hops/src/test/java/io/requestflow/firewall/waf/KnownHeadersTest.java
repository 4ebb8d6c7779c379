package io.requestflow.firewall.waf;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.util.AsciiString;
import io.requestflow.engine.http.Request;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The known header names give what lower-casing each name and asking the structured set gave (the path they
 * replaced), whether the name comes as a String or as the decoder's AsciiString; an unlisted spelling is
 * lower-cased as before.
 */
class KnownHeadersTest {
    @Test
    void everySpellingIsItsLowerCaseNameAndItsStructuredFlag() {
        Map<String, KnownHeaders.Name> spellings = KnownHeaders.spellings();
        assertThat(spellings).containsKeys("User-Agent", "user-agent", "USER-AGENT", "Content-Type", "DNT", "Dnt", "TE");
        assertThat(KnownHeaders.spelled(new AsciiString("uSer-agent"))).isNull();
        assertThat(KnownHeaders.spelled("X-Note")).isNull();
        for (var e : spellings.entrySet()) {
            String lower = e.getKey().toLowerCase(Locale.ROOT);
            assertThat(e.getValue().lower()).isEqualTo(lower);
            assertThat(e.getValue().structured()).isEqualTo(KnownHeaders.STRUCTURED.contains(lower));
            assertThat(KnownHeaders.lowerCase(lower)).isSameAs(e.getValue());
            assertThat(KnownHeaders.spelled(new AsciiString(e.getKey()))).isSameAs(e.getValue());
            assertThat(KnownHeaders.spelled(e.getKey())).isSameAs(e.getValue());
        }
    }

    private static final String[] OTHER = {"x-note", "X-Custom-Thing", "accept-datetime", "user-agent2", "hosts", "a",
            "Referer-Policy", "x-forwarded"};

    /** Fuzzed header blocks: any case of known and unknown names, repeated names, String and AsciiString keys. */
    @Test
    void fuzzedHeadersAgreeWithLowerCasingAndTheRequestsTable() {
        Random random = new Random(20261123L);
        List<String> known = new ArrayList<>(KnownHeaders.spellings().keySet().stream()
                .map(s -> s.toLowerCase(Locale.ROOT)).distinct().sorted().toList());
        known.remove("referer"); // its pieces are SameSiteReferer's; the name and first value are checked below
        for (int round = 0; round < 20_000; round++) {
            DefaultHttpHeaders h = new DefaultHttpHeaders(false);
            int count = random.nextInt(14);
            for (int i = 0; i < count; i++) {
                String base = random.nextInt(3) == 0 ? OTHER[random.nextInt(OTHER.length)] : known.get(random.nextInt(known.size()));
                if (random.nextInt(12) == 0) base = "referer";
                String name = spell(base, random);
                String value = random.nextInt(10) == 0 ? "" : "v" + random.nextInt(1000) + (random.nextBoolean() ? " text" : "");
                if (name.equalsIgnoreCase("cookie")) value = "a=" + random.nextInt(9);
                if (name.equalsIgnoreCase("referer")) value = "https://elsewhere.test/x" + random.nextInt(9);
                if (random.nextBoolean()) h.add(new AsciiString(name), value);
                else h.add(name, value);
            }
            Request r = new Request("GET", "/p?q=cup", h, new byte[0], new InetSocketAddress("127.0.0.1", 1));
            Inspection in = new Inspection(r, 255);

            List<String> names = new ArrayList<>();
            List<String> freeText = new ArrayList<>();
            for (Map.Entry<String, String> e : r.headers()) {
                String lower = e.getKey().toLowerCase(Locale.ROOT);
                names.add(lower);
                if (!lower.equals("cookie") && !PREVIOUS_STRUCTURED.contains(lower)) freeText.add(lower + "=" + e.getValue());
            }
            assertThat(in.headerNames()).isEqualTo(names);
            List<String> headerTargets = new ArrayList<>();
            for (Target t : in.targets()) if (t.kind() == Target.Kind.HEADER) headerTargets.add(t.name() + "=" + t.raw());
            assertThat(headerTargets).isEqualTo(freeText);
            for (String n : known) assertThat(in.header(n)).isEqualTo(r.header(n));
            for (String n : OTHER) assertThat(in.header(n.toLowerCase(Locale.ROOT))).isEqualTo(r.header(n));
            assertThat(in.header("referer")).isEqualTo(r.header("referer"));
        }
    }

    /** A name in lower case, Capitalised-Words, upper case, or each letter's case at random. */
    private static String spell(String name, Random random) {
        String lower = name.toLowerCase(Locale.ROOT);
        return switch (random.nextInt(4)) {
            case 0 -> lower;
            case 1 -> KnownHeaders.capitalised(lower);
            case 2 -> lower.toUpperCase(Locale.ROOT);
            default -> {
                StringBuilder b = new StringBuilder(lower.length());
                for (char c : lower.toCharArray()) b.append(random.nextBoolean() ? Character.toUpperCase(c) : c);
                yield b.toString();
            }
        };
    }

    /** Inspection's structured set before the known names (main at 8e2fc69), as the reference. */
    private static final Set<String> PREVIOUS_STRUCTURED = Set.of("host", "accept", "accept-encoding",
            "accept-language", "accept-charset", "content-length", "content-type", "connection", "cache-control",
            "pragma", "authorization", "traceparent", "tracestate", "x-request-id", "x-forwarded-for",
            "x-forwarded-proto", "x-forwarded-host", "x-forwarded-port", "forwarded", "if-none-match",
            "if-modified-since", "if-match", "if-unmodified-since", "if-range", "upgrade-insecure-requests", "te",
            "range", "keep-alive", "transfer-encoding", "cookie", "origin", "dnt", "priority", "server-timing",
            "expect", "content-encoding", "via", "date", "sec-fetch-site", "sec-fetch-mode", "sec-fetch-dest",
            "sec-fetch-user", "sec-ch-ua", "sec-ch-ua-mobile", "sec-ch-ua-platform", "x-real-ip");
}
