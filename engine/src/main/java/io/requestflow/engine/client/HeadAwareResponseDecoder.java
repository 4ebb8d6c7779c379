package io.requestflow.engine.client;

import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpResponseDecoder;

/**
 * Netty's response decoder, told per call whether the request was a HEAD (whose answer has no body
 * whatever its Content-Length says). {@code HttpClientCodec} learns that from a queue its encoder
 * fills, which would fall out of step when {@link RawResponseDecoder} reads a response instead.
 */
final class HeadAwareResponseDecoder extends HttpResponseDecoder {
    boolean head;

    @Override
    protected boolean isContentAlwaysEmpty(HttpMessage msg) {
        return head || super.isContentAlwaysEmpty(msg);
    }
}
