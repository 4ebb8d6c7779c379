package io.requestflow.engine.client;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.timeout.IdleStateHandler;

import java.util.concurrent.TimeUnit;

/** Installs the HTTP client handlers on each new pooled connection. */
final class PooledConnectionSetup extends ChannelInitializer<Channel> {
    private final ClientConfig config;

    PooledConnectionSetup(ClientConfig config) {
        this.config = config;
    }

    @Override
    protected void initChannel(Channel ch) {
        ch.pipeline()
                .addLast("idle", new IdleStateHandler(0, 0, config.idleTimeoutMs(), TimeUnit.MILLISECONDS))
                .addLast("codec", new HttpClientCodec())
                .addLast("aggregate", new HttpObjectAggregator(config.maxResponseBytes()))
                .addLast("response", new ResponseHandler());
    }
}
