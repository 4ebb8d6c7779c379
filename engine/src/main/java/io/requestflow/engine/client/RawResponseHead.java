package io.requestflow.engine.client;

import io.netty.buffer.ByteBuf;
import io.requestflow.engine.http.HeaderBlock;

/**
 * A response head read by {@link RawResponseDecoder}: status, the header lines, whether the connection
 * stays open, and the whole body when it had already arrived with the head (one reference, which the
 * reader of this message owns), else null and the body follows as content messages.
 */
record RawResponseHead(int status, HeaderBlock block, boolean keepAlive, ByteBuf body) {
    RawResponseHead withBody(ByteBuf whole) {
        return new RawResponseHead(status, block, keepAlive, whole);
    }
}
