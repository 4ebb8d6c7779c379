package io.requestflow.data;

import java.util.Objects;

/**
 * Everything a process needs to reach the database: hand these three strings to a service started in
 * another process and it can open its own {@link Database} pool.
 */
public record JdbcEndpoint(String url, String user, String password) {

    public JdbcEndpoint {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(user, "user");
        password = password == null ? "" : password;
    }

    /** Keeps the password out of logs. */
    @Override
    public String toString() {
        return "JdbcEndpoint[url=" + url + ", user=" + user + ", password=***]";
    }
}
