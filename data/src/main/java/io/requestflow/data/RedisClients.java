package io.requestflow.data;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;

import java.time.Duration;

/** Lettuce clients the way every hop and service uses Redis: bounded in time, failing fast while down. */
public final class RedisClients {
    private RedisClients() {}

    /**
     * A client whose connects and commands time out after {@code timeout}, and whose commands fail at once
     * while the connection is down instead of queueing until Redis returns (callers have a fallback).
     */
    public static RedisClient failFast(String url, Duration timeout) {
        RedisURI uri = RedisURI.create(url);
        uri.setTimeout(timeout);
        RedisClient client = RedisClient.create(uri);
        client.setOptions(ClientOptions.builder()
                .socketOptions(SocketOptions.builder().connectTimeout(timeout).build())
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .build());
        return client;
    }
}
