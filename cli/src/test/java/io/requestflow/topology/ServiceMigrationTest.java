package io.requestflow.topology;

import io.requestflow.data.DataTier;
import io.requestflow.data.JdbcEndpoint;
import io.requestflow.data.PostgresConfig;
import io.requestflow.data.RedisConfig;
import io.requestflow.engine.hop.Engine;
import io.requestflow.engine.hop.HttpHop;
import io.requestflow.engine.net.HostPort;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A hop in its own process, as on a cluster, cannot count on anyone having migrated the database: started
 * against an empty one, auth and catalog bring the schema up to date themselves, together, and serve.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ServiceMigrationTest {
    static final HostPort ANY = new HostPort("127.0.0.1", 0);

    @TempDir
    Path dir;

    @Test
    void servicesStartedOnAnEmptyDatabaseMigrateItOnceAndServe() throws Exception {
        Topology t = new Topology().ephemeral();
        t.services.auth.argon2MemoryKib = 1024;
        t.services.auth.argon2Iterations = 1;
        try (DataTier data = DataTier.start(dir, PostgresConfig.embedded(0), RedisConfig.embedded(0), 0);
             Engine engine = new Engine(2, 100)) {
            // an empty schema of the test's server stands for the cluster's fresh database
            JdbcEndpoint main = data.jdbc();
            try (var c = DriverManager.getConnection(main.url(), main.user(), main.password()); var s = c.createStatement()) {
                s.executeUpdate("CREATE SCHEMA cluster");
            }
            JdbcEndpoint fresh = new JdbcEndpoint(main.url() + (main.url().contains("?") ? "&" : "?")
                    + "currentSchema=cluster", main.user(), main.password());
            DataEndpoints endpoints = new DataEndpoints(fresh, data.redisUrl(), List.of(), false);
            Roles roles = new Roles(engine, t, dir);

            // started at the same moment, as pods are: Flyway's lock lets one migrate and the other wait
            var startingAuth = java.util.concurrent.CompletableFuture.supplyAsync(() -> roles.auth("auth-1", ANY, ANY, endpoints));
            var startingCatalog = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> roles.catalog("catalog-1", ANY, ANY, endpoints));
            try (HttpHop auth = startingAuth.get(60, TimeUnit.SECONDS);
                 HttpHop catalog = startingCatalog.get(60, TimeUnit.SECONDS)) {
                try (var c = DriverManager.getConnection(fresh.url(), fresh.user(), fresh.password());
                     var s = c.createStatement();
                     var rs = s.executeQuery("SELECT count(*) FROM flyway_schema_history WHERE success")) {
                    rs.next();
                    assertThat(rs.getInt(1)).as("every migration applied once, by whichever started first").isEqualTo(6);
                }
                HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
                HttpResponse<String> login = client.send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + auth.address().getPort() + "/api/login"))
                        .header("Content-Type", "application/json").timeout(Duration.ofSeconds(10))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"demo\",\"password\":\"demo\"}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
                HttpResponse<String> missing = client.send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + catalog.address().getPort() + "/api/products/1"))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(missing.statusCode()).as("the catalog's tables exist, empty until seeded: " + missing.body())
                        .isEqualTo(404);
            }
        }
    }
}
