package io.requestflow.cli;

import io.requestflow.engine.net.HostPort;
import io.requestflow.topology.Topology;
import io.requestflow.topology.TopologyLoader;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

/** Calls an operator action on the auth service's admin port (where {@code up} or {@code serve} runs it). */
final class AuthAdmin {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private AuthAdmin() {}

    static Topology topology(Path config) {
        Path file = config != null ? config : Flow.home().resolve("config/topology.yaml");
        return TopologyLoader.load(file, config != null);
    }

    static HostPort address(Topology t, String admin) {
        return admin != null ? HostPort.parse(admin) : new HostPort(t.bind, t.services.auth.adminPortOrDefault());
    }

    /** POSTs to the admin path; throws {@link IOException} when nothing answers there. */
    static HttpResponse<String> post(HostPort admin, String pathAndQuery) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + admin + pathAndQuery))
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build();
        return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
