package io.requestflow.services;

import io.requestflow.engine.pipeline.Exchange;

import javax.sql.DataSource;
import java.sql.Connection;

/** Decides where a read goes: a replica, or the primary (no replica, lagging, or read-your-own-writes). */
public interface ReadRouter {

    /** One place a read can run. */
    record Target(String name, DataSource dataSource, boolean primary) {}

    /**
     * Exchange attribute: when {@code Boolean.TRUE}, this exchange's reads go to the primary (set by the cache
     * while it reloads a key a write just changed, so a lagging replica cannot put the old value back).
     */
    String PRIMARY_ONLY = "requestflow.reads.primaryOnly";

    Target route(Exchange exchange);

    /** A replica failed a read: take it out of rotation (it returns when it answers again). */
    default void failed(Target target, RuntimeException error) {}

    /** A transaction of this exchange's client just committed on {@code connection} (the primary). */
    default void wrote(Exchange exchange, Connection connection) {}

    static ReadRouter primaryOnly(DataSource primary) {
        Target target = new Target("primary", primary, true);
        return exchange -> target;
    }
}
