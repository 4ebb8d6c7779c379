package io.requestflow.topology;

import io.requestflow.dns.DnsServer;
import io.requestflow.engine.admin.AdminServer;
import io.requestflow.engine.hop.HopContext;

/** The dns hop: its UDP/TCP server plus the admin port every hop has. */
public record DnsHop(DnsServer server, AdminServer admin, HopContext context) implements AutoCloseable {
    @Override
    public void close() {
        server.close();
        admin.close();
        context.close();
    }
}
