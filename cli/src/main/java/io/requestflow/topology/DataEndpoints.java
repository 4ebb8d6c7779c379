package io.requestflow.topology;

import io.requestflow.data.JdbcEndpoint;

import java.util.List;

/**
 * Where services find the data tier: the JDBC endpoint of the primary, its read replicas, and the Redis URL.
 *
 * @param schemaCurrent true when whoever hands these out has just migrated the primary (the {@code DataTier}
 *                      {@code up} starts in-process); false when the services cannot know (each hop in its own
 *                      process, a cluster's database), and each brings the schema up to date at start
 */
public record DataEndpoints(JdbcEndpoint jdbc, String redisUrl, List<JdbcEndpoint> replicas, boolean schemaCurrent) {
    public DataEndpoints {
        replicas = replicas == null ? List.of() : List.copyOf(replicas);
    }
}
