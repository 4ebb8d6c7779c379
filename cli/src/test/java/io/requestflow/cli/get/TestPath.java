package io.requestflow.cli.get;

import io.requestflow.engine.admin.AdminServer;
import io.requestflow.engine.client.ClientConfig;
import io.requestflow.engine.hop.Engine;
import io.requestflow.engine.hop.HttpHop;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.net.HostPort;
import io.requestflow.engine.pipeline.Stage;
import io.requestflow.engine.proxy.ForwardStage;
import io.requestflow.engine.proxy.Forwarder;
import io.requestflow.engine.server.ServerConfig;
import io.requestflow.engine.service.Router;

import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A two-hop path for tests: DNS (shop.requestflow.test and secure.requestflow.test → 127.0.0.1), an "edge"
 * proxy hop in front of a "catalog" service hop whose product route records a Redis and a PostgreSQL call.
 */
final class TestPath implements AutoCloseable {
    static final String HOST = "shop.requestflow.test";
    static final String SILENT_HOST = "slow.requestflow.test";

    final Engine engine = new Engine(2, 100);
    final TestDns dns = new TestDns(Map.of(HOST, "127.0.0.1", "secure.requestflow.test", "127.0.0.1",
            "other.requestflow.test", "127.0.0.1"), Set.of(SILENT_HOST));
    final HttpHop service;
    final HttpHop edge;

    TestPath() {
        Router router = Router.builder()
                .get("/api/products/{id}", (ex, p) -> {
                    Thread.sleep(3);
                    ex.recordCall("redis", 300_000, "miss");
                    ex.recordCall("postgres", 1_200_000, "replica");
                    ex.describe("200");
                    return Response.json(200, Map.of("id", p.get("id"), "title", "Kindle Paperwhite",
                            "price", Map.of("amount", 14999, "currency", "USD")));
                })
                .get("/api/seen", (ex, p) -> {
                    Map<String, String> seen = new LinkedHashMap<>();
                    for (String h : List.of("host", "user-agent", "accept", "x-test")) {
                        seen.put(h, ex.request().header(h));
                    }
                    return Response.json(200, seen);
                })
                .get("/big", (ex, p) -> Response.text(200, "abcdefghij".repeat(500)))
                .post("/echo", (ex, p) -> Response.of(200, ex.request().header("content-type"),
                        ex.request().body()))
                .build(engine.blocking());
        service = start("catalog", List.of(router));
        edge = start("edge", List.of(new ForwardStage(
                new Forwarder(engine.hop("edge-client", "edge-client").client(ClientConfig.defaults())),
                HostPort.of(service.address()))));
    }

    private HttpHop start(String name, List<Stage> stages) {
        HostPort any = new HostPort("127.0.0.1", 0);
        return HttpHop.start(engine.hop(name, name + "-1"), new HttpHop.Spec(any, any, ServerConfig.defaults(),
                5_000), stages, AdminServer.Readiness.always(), Map.of());
    }

    int edgePort() {
        return edge.address().getPort();
    }

    InetSocketAddress dnsAddress() {
        return dns.address();
    }

    String url(String path) {
        return "http://" + HOST + ":" + edgePort() + path;
    }

    ProbeRequest get(String url) {
        return ProbeRequest.get(url).withDnsServer(dnsAddress()).withTimeoutMs(5_000);
    }

    @Override
    public void close() {
        edge.close();
        service.close();
        engine.close();
        dns.close();
    }
}
