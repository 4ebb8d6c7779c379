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

/**
 * Operator commands' one way to reach a running hop's admin port: which topology file, which address,
 * and a bounded HTTP call (connect 2 s; the caller names the overall timeout).
 */
public final class AdminPort {
    /** Long enough for an Argon2id-backed or key-generating action on a loaded machine. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private AdminPort() {}

    /** The topology {@code up} was started with: the given file, else config/topology.yaml (optional). */
    static Topology topology(Path config) {
        Path file = config != null ? config : Flow.home().resolve("config/topology.yaml");
        return TopologyLoader.load(file, config != null);
    }

    /** The auth service's admin address: {@code --admin} when given, else from the topology. */
    static HostPort auth(Topology t, String admin) {
        return admin != null ? HostPort.parse(admin) : new HostPort(t.bind, t.services.auth.adminPortOrDefault());
    }

    /** POSTs (no body) to the admin path; throws {@link IOException} when nothing answers there. */
    public static HttpResponse<String> post(HostPort admin, String pathAndQuery, Duration timeout)
            throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(admin, pathAndQuery)).POST(HttpRequest.BodyPublishers.noBody()), timeout);
    }

    /** GETs the admin path; throws {@link IOException} when nothing answers there. */
    public static HttpResponse<String> get(HostPort admin, String pathAndQuery, Duration timeout)
            throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(admin, pathAndQuery)).GET(), timeout);
    }

    /** Any method without a body; the answer as it came, problems included. */
    public static HttpResponse<String> request(HostPort admin, String method, String pathAndQuery, Duration timeout)
            throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(admin, pathAndQuery)).method(method, HttpRequest.BodyPublishers.noBody()),
                timeout);
    }

    /**
     * One call to a hop instance's admin port (for {@code method} without a body); a readable error naming
     * {@code who} when nothing answers there, or when the answer is a problem.
     */
    static HttpResponse<String> call(HostPort admin, String method, String pathAndQuery, String who)
            throws InterruptedException {
        HttpResponse<String> response;
        try {
            response = send(HttpRequest.newBuilder(uri(admin, pathAndQuery))
                    .method(method, HttpRequest.BodyPublishers.noBody()), DEFAULT_TIMEOUT);
        } catch (IOException e) {
            throw new IllegalStateException("cannot reach " + who + "'s admin port at " + admin
                    + " (is it running, with this config?): " + e.getMessage(), e);
        }
        if (response.statusCode() == 404) {
            throw new IllegalStateException(who + " at " + admin + " has no " + pathAndQuery.split("\\?")[0]
                    + " (an older build, or not an HTTP hop)");
        }
        if (response.statusCode() >= 400) {
            throw new IllegalArgumentException(who + ": " + response.body());
        }
        return response;
    }

    private static URI uri(HostPort admin, String pathAndQuery) {
        return URI.create("http://" + admin + pathAndQuery);
    }

    private static HttpResponse<String> send(HttpRequest.Builder request, Duration timeout)
            throws IOException, InterruptedException {
        return CLIENT.send(request.timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
    }
}
