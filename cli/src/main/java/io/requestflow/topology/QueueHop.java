package io.requestflow.topology;

import io.requestflow.engine.admin.AdminServer;
import io.requestflow.engine.hop.HopContext;

/** The queue role: its relay and worker live in the context; the admin port every hop has. */
public record QueueHop(AdminServer admin, HopContext context, String kafkaBootstrap) implements AutoCloseable {
    @Override
    public void close() {
        admin.close();
        context.close(); // the worker and relay stop, then the pool closes
    }
}
