package io.requestflow.topology;

import io.requestflow.data.JdbcEndpoint;

import java.util.List;

/** Where services find the data tier: the JDBC endpoint of the primary, its read replicas, and the Redis URL. */
public record DataEndpoints(JdbcEndpoint jdbc, String redisUrl, List<JdbcEndpoint> replicas) {
    public DataEndpoints {
        replicas = replicas == null ? List.of() : List.copyOf(replicas);
    }

    public DataEndpoints(JdbcEndpoint jdbc, String redisUrl) {
        this(jdbc, redisUrl, List.of());
    }
}
