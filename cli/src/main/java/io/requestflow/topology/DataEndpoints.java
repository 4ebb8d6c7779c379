package io.requestflow.topology;

import io.requestflow.data.JdbcEndpoint;

/** Where services find the data tier: the JDBC endpoint and the Redis URL. */
public record DataEndpoints(JdbcEndpoint jdbc, String redisUrl) {}
