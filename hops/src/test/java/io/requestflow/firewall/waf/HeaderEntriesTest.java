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

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The inspection reads the headers' own entries ({@code iteratorCharSequence}): the same names and values, in the same
 * order, as the {@code Map.Entry<String, String>} iteration it replaced, repeated names and non-String values included.
 */
class HeaderEntriesTest {
    @Test
    void sameHeadersAsTheStringEntries() {
        DefaultHttpHeaders h = new DefaultHttpHeaders(false);
        h.add("Host", "shop.test");
        h.add("X-Note", "one");
        h.add(new AsciiString("User-Agent"), new AsciiString("Mozilla/5.0 (X11)"));
        h.add("x-note", "two");
        h.add("Cookie", "session=ab; theme=dark");
        h.add("Referer", "https://shop.test/p?q=mug&page=2");
        h.add("X-Empty", "");
        Request r = new Request("GET", "/p?q=cup", h, new byte[0], new InetSocketAddress("127.0.0.1", 1));
        List<String> names = new ArrayList<>();
        List<String> values = new ArrayList<>();
        for (Map.Entry<String, String> e : r.headers()) {
            names.add(e.getKey().toLowerCase(Locale.ROOT));
            values.add(e.getValue());
        }
        Inspection in = new Inspection(r, 255);
        assertThat(in.headerNames()).isEqualTo(names);
        for (int i = 0; i < names.size(); i++) assertThat(in.header(names.get(i))).isEqualTo(values.get(names.indexOf(names.get(i))));
        assertThat(in.header("x-note")).isEqualTo("one");
        assertThat(in.header("user-agent")).isInstanceOf(String.class).isEqualTo("Mozilla/5.0 (X11)");
        List<String> headerTargets = new ArrayList<>();
        for (Target t : in.targets()) if (t.kind() == Target.Kind.HEADER) headerTargets.add(t.name() + "=" + t.raw());
        assertThat(headerTargets).contains("x-note=one", "x-note=two", "user-agent=Mozilla/5.0 (X11)", "x-empty=");
    }
}
