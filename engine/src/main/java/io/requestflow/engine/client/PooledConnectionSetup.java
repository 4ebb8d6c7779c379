package io.requestflow.engine.client;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;

/**
 * Installs the HTTP client handlers on each new pooled connection (its pool closes it when idle).
 * Requests go out as bytes {@link RequestWriter} made, so there is no request encoder.
 */
final class PooledConnectionSetup extends ChannelInitializer<Channel> {
    private final ClientConfig config;

    PooledConnectionSetup(ClientConfig config) {
        this.config = config;
    }

    @Override
    protected void initChannel(Channel ch) {
        ch.pipeline()
                // plain responses are read here without an object per header; the rest by Netty's decoder
                .addLast("raw", new RawResponseDecoder())
                .addLast("decoder", new HeadAwareResponseDecoder())
                .addLast("response", new ResponseHandler(config.maxResponseBytes())); // gathers the body itself
    }
}
