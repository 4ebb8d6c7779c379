package io.requestflow.gateway;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import io.requestflow.engine.client.UpstreamClient;
import io.requestflow.engine.http.Request;
import io.requestflow.engine.net.HostPort;

import java.net.URI;
import java.text.ParseException;
import java.util.concurrent.CompletableFuture;

/**
 * The auth service's signing keys, fetched over HTTP and trusted for the cache TTL (seed: 300 s).
 * An unknown {@code kid} triggers a refetch, but never more than once per minimum interval, so a
 * flood of forged key ids cannot hammer the auth service.
 */
public final class JwksCache {
    private final UpstreamClient client;
    private final HostPort address;
    private final String path;
    private final GatewayConfig.Jwt config;
    private volatile JWKSet keys;
    private volatile long fetchedAtNanos;
    private volatile CompletableFuture<JWKSet> inFlight;

    public JwksCache(UpstreamClient client, GatewayConfig.Jwt config) {
        this.client = client;
        this.config = config;
        URI uri = URI.create(config.jwksUrl());
        if (uri.getHost() == null || uri.getPort() < 0) {
            throw new IllegalArgumentException("gateway.jwt.jwksUrl '" + config.jwksUrl() + "' needs a host and a port");
        }
        this.address = new HostPort(uri.getHost(), uri.getPort());
        this.path = uri.getRawPath();
    }

    /** The key with this id; null when the auth service does not publish it. */
    public CompletableFuture<JWK> key(String kid) {
        long now = System.nanoTime();
        JWKSet current = keys;
        boolean fresh = current != null && now - fetchedAtNanos < config.keyCacheTtlSeconds() * 1_000_000_000L;
        if (fresh) {
            JWK key = current.getKeyByKeyId(kid);
            boolean mayRefetch = now - fetchedAtNanos >= config.minRefetchIntervalSeconds() * 1_000_000_000L;
            if (key != null || !mayRefetch) return CompletableFuture.completedFuture(key);
        }
        return fetch().thenApply(set -> set.getKeyByKeyId(kid));
    }

    /** One fetch at a time; concurrent callers share it. */
    private synchronized CompletableFuture<JWKSet> fetch() {
        if (inFlight != null && !inFlight.isDone()) return inFlight;
        Request request = Request.of("GET", path);
        request.headers().set("accept", "application/json");
        inFlight = client.send(address, request, config.fetchTimeoutMs()).thenApply(response -> {
            if (response.status() != 200) {
                throw new IllegalStateException("JWKS endpoint answered " + response.status());
            }
            try {
                JWKSet set = JWKSet.parse(response.bodyText());
                keys = set;
                fetchedAtNanos = System.nanoTime();
                return set;
            } catch (ParseException e) {
                throw new IllegalStateException("JWKS endpoint returned an unparseable key set", e);
            }
        });
        return inFlight;
    }
}
