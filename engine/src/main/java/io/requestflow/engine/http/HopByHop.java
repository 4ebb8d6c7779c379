package io.requestflow.engine.http;

import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.util.AsciiString;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Removes the headers that describe one connection and must not be forwarded (RFC 9110 section 7.6.1).
 * Both operations look at each header once and leave the common case (nothing to remove) without
 * a single removal, since they run twice per request on every proxy hop.
 */
public final class HopByHop {
    private static final List<AsciiString> ALWAYS = List.of(
            AsciiString.cached("connection"), AsciiString.cached("keep-alive"), AsciiString.cached("proxy-connection"),
            AsciiString.cached("te"), AsciiString.cached("trailer"), AsciiString.cached("transfer-encoding"),
            AsciiString.cached("upgrade"), AsciiString.cached("proxy-authenticate"),
            AsciiString.cached("proxy-authorization"));
    /** Headers copied from a message that was validated when it was parsed need no second validation. */
    private static final HttpHeadersFactory TRUSTED = DefaultHttpHeadersFactory.headersFactory().withValidation(false);

    private HopByHop() {}

    public static void strip(HttpHeaders headers) {
        List<String> listed = connectionTokens(headers);
        List<CharSequence> remove = null;
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence(); it.hasNext(); ) {
            CharSequence name = it.next().getKey();
            if (hopByHop(name, listed)) {
                if (remove == null) remove = new ArrayList<>(2);
                remove.add(name);
            }
        }
        if (remove != null) for (CharSequence name : remove) headers.remove(name);
    }

    /** A copy of {@code headers} (already validated) without the hop-by-hop ones, made in one pass. */
    public static HttpHeaders forwardCopy(HttpHeaders headers) {
        List<String> listed = connectionTokens(headers);
        HttpHeaders out = TRUSTED.newHeaders();
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence(); it.hasNext(); ) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            if (!hopByHop(e.getKey(), listed)) out.add(e.getKey(), e.getValue());
        }
        return out;
    }

    /** Names the Connection header lists (lower-cased), or null when there is none. */
    public static List<String> connectionTokens(HttpHeaders headers) {
        if (!headers.contains(HttpHeaderNames.CONNECTION)) return null;
        List<String> listed = new ArrayList<>();
        for (String value : headers.getAll(HttpHeaderNames.CONNECTION)) {
            for (String token : value.split(",")) {
                String name = token.trim().toLowerCase(Locale.ROOT);
                if (!name.isEmpty()) listed.add(name);
            }
        }
        return listed;
    }

    /** Whether {@code name} is not forwarded; {@code listed}: {@link #connectionTokens} of the same message. */
    public static boolean hopByHop(CharSequence name, List<String> listed) {
        for (AsciiString always : ALWAYS) {
            if (always.length() == name.length() && always.contentEqualsIgnoreCase(name)) return true;
        }
        if (listed != null) {
            for (String token : listed) if (AsciiString.contentEqualsIgnoreCase(token, name)) return true;
        }
        return false;
    }
}
