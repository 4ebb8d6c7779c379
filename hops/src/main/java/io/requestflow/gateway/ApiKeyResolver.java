package io.requestflow.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.requestflow.engine.client.UpstreamClient;
import io.requestflow.engine.http.Json;
import io.requestflow.engine.http.Request;
import io.requestflow.engine.net.HostPort;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns an {@code x-api-key} into the key's id and plan. Keys are stored only as SHA-256 hashes (by the
 * auth service); the gateway hashes what the client sent, asks the auth service, and caches the answer
 * (found or not) for {@code cacheSeconds}, bounded in size.
 */
public final class ApiKeyResolver {
    static final int MAX_CACHED = 50_000;

    /** A known key; null from {@link #resolve} when the key is unknown or revoked. */
    public record ApiKey(String id, String plan) {}

    private record Cached(ApiKey key, long expiresAtNanos) {}

    private final UpstreamClient client;
    private final HostPort address;
    private final String path;
    private final GatewayConfig.ApiKeys config;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    public ApiKeyResolver(UpstreamClient client, GatewayConfig.ApiKeys config) {
        this.client = client;
        this.config = config;
        URI uri = URI.create(config.lookupUrl());
        if (uri.getHost() == null || uri.getPort() < 0) {
            throw new IllegalArgumentException("gateway.apiKeys.lookupUrl '" + config.lookupUrl() + "' needs a host and a port");
        }
        this.address = new HostPort(uri.getHost(), uri.getPort());
        this.path = uri.getRawPath().endsWith("/") ? uri.getRawPath() : uri.getRawPath() + "/";
    }

    public static String hash(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public CompletableFuture<ApiKey> resolve(String presented) {
        String hash = hash(presented);
        Cached cached = cache.get(hash);
        long now = System.nanoTime();
        if (cached != null && now - cached.expiresAtNanos() < 0) return CompletableFuture.completedFuture(cached.key());
        Request request = Request.of("GET", path + hash);
        request.headers().set("accept", "application/json");
        return client.send(address, request, config.timeoutMs()).thenApply(response -> {
            ApiKey key;
            if (response.status() == 404) {
                key = null;
            } else if (response.status() == 200) {
                JsonNode body = Json.tree(response.body());
                if (body == null || !body.path("id").isTextual() || !body.path("plan").isTextual()) {
                    throw new IllegalStateException("API key lookup returned an unexpected body");
                }
                key = body.path("active").asBoolean(true) ? new ApiKey(body.get("id").asText(), body.get("plan").asText()) : null;
            } else {
                throw new IllegalStateException("API key lookup answered " + response.status());
            }
            if (cache.size() >= MAX_CACHED) cache.clear();
            cache.put(hash, new Cached(key, System.nanoTime() + config.cacheSeconds() * 1_000_000_000L));
            return key;
        });
    }
}
