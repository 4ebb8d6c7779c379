package io.requestflow.engine.server;

import io.requestflow.engine.http.Response;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * Optional check of a request's bytes as they arrived, before the HTTP codec normalises them away
 * (duplicate framing headers, line folding, bare CR or LF). A listener with an inspector runs
 * {@link RawRequestGuard} in front of its codec; a non-null answer is written and the connection closed.
 */
@FunctionalInterface
public interface RawRequestInspector {

    /**
     * @param requestLine the first line, without its line ending
     * @param headerLines each header line exactly as received (line ending stripped, CR kept if it was bare)
     * @param lineProblem the first line-ending defect seen in the head (bare CR, bare LF), or null
     * @return null to let the request through, or the answer to send before closing
     */
    Response inspect(String requestLine, List<byte[]> headerLines, String lineProblem, InetSocketAddress peer);

    /** Answer for a body whose chunked framing is broken (invalid chunk size). */
    default Response badFraming(String reason, InetSocketAddress peer) {
        return io.requestflow.engine.http.Problem.badRequest("malformed request framing: " + reason);
    }
}
