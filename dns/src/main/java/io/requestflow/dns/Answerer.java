package io.requestflow.dns;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.InetSocketAddress;

/** What the listeners hand each query to: the query's bytes in, the response's bytes (or null: none) out. */
@FunctionalInterface
interface Answerer {

    /**
     * @param query  one whole query message; read, not released (the caller owns it)
     * @param client who sent it
     * @param alloc  where the response buffer comes from (the channel's allocator)
     * @return the response, owned by the caller from here on, or null to send nothing
     */
    ByteBuf answer(ByteBuf query, InetSocketAddress client, ByteBufAllocator alloc);

    /** How long to hold the answer just made before sending it (an injected fault); 0 sends it at once. */
    default long delayMillis() {
        return 0;
    }
}
