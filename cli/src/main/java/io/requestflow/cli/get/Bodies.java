package io.requestflow.cli.get;

import com.fasterxml.jackson.databind.JsonNode;
import io.requestflow.engine.http.Json;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** How to show a response body: as JSON, as text, or as "binary, N bytes". */
final class Bodies {
    private Bodies() {}

    /** The body parsed as JSON when it is declared JSON (or undeclared and looks like it), else null. */
    static JsonNode json(byte[] body, String contentType) {
        if (body.length == 0) return null;
        String ct = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
        boolean declared = ct.contains("json");
        boolean looksLike = ct.isEmpty() || ct.startsWith("text/plain");
        if (!declared && !(looksLike && startsLikeJson(body))) return null;
        JsonNode tree = Json.tree(body);
        return tree != null && (tree.isObject() || tree.isArray()) ? tree : null;
    }

    /** True when the body is text worth printing: a textual type, or valid UTF-8 without control bytes. */
    static boolean isText(byte[] body, String contentType) {
        String ct = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
        if (ct.startsWith("text/") || ct.contains("json") || ct.contains("xml") || ct.contains("javascript")
                || ct.contains("x-www-form-urlencoded")) {
            return true;
        }
        if (ct.startsWith("image/") || ct.startsWith("audio/") || ct.startsWith("video/") || ct.contains("zip")
                || ct.contains("octet-stream") || ct.contains("protobuf")) {
            return false;
        }
        for (byte b : body) {
            if (b >= 0 && b < 0x20 && b != '\n' && b != '\r' && b != '\t') return false;
        }
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static boolean startsLikeJson(byte[] body) {
        for (byte b : body) {
            if (b == ' ' || b == '\n' || b == '\r' || b == '\t') continue;
            return b == '{' || b == '[';
        }
        return false;
    }
}
