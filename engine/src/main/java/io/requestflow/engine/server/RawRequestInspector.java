package io.requestflow.engine.server;

import io.requestflow.engine.http.Response;

import java.net.InetSocketAddress;

/**
 * Optional check of a request's bytes as they arrived, before the HTTP codec normalises them away
 * (duplicate framing headers, line folding, bare CR or LF). A listener with an inspector runs
 * {@link RawRequestGuard} in front of its codec; a non-null answer is written and the connection closed.
 */
@FunctionalInterface
public interface RawRequestInspector {

    /**
     * @param head the head's lines as received (line endings stripped, a bare CR kept), with the first
     *             line-ending defect seen in it (bare CR, bare LF), or null; it has at least the request line
     * @return null to let the request through, or the answer to send before closing
     */
    Response inspect(RawHead head, InetSocketAddress peer);

    /** Answer for a body whose chunked framing is broken (invalid chunk size). */
    default Response badFraming(String reason, InetSocketAddress peer) {
        return io.requestflow.engine.http.Problem.badRequest("malformed request framing: " + reason);
    }
}
