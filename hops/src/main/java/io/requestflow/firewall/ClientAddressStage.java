package io.requestflow.firewall;

import io.requestflow.engine.http.Problem;
import io.requestflow.engine.http.Request;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.net.Cidr;
import io.requestflow.engine.pipeline.Chain;
import io.requestflow.engine.pipeline.Exchange;
import io.requestflow.engine.pipeline.Stage;

import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Works out who the client is. The peer address, unless the peer is a trusted proxy (the edge): then
 * the right-most {@code X-Forwarded-For} entry, the one that proxy added. Entries further left are
 * client-supplied and never trusted.
 */
public final class ClientAddressStage implements Stage {
    public static final String CLIENT = "firewall.client";

    private final List<Cidr> trustedProxies;

    public ClientAddressStage(List<Cidr> trustedProxies) {
        this.trustedProxies = trustedProxies;
    }

    @Override
    public CompletableFuture<Response> handle(Exchange exchange, Chain next) {
        Request request = exchange.request();
        InetAddress client = request.remote() == null ? InetAddress.getLoopbackAddress() : request.remote().getAddress();
        String forwarded = request.header("x-forwarded-for");
        if (forwarded != null && Cidr.anyContains(trustedProxies, client)) {
            String last = forwarded.substring(forwarded.lastIndexOf(',') + 1).trim();
            client = Cidr.literal(last);
            if (client == null) {
                return Stage.answer(Problem.badRequest("X-Forwarded-For does not end with an IP address"));
            }
        }
        exchange.attribute(CLIENT, client);
        return next.proceed(exchange);
    }
}
