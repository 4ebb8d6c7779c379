package io.requestflow.cli.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.requestflow.engine.http.Json;
import io.requestflow.engine.testing.Http;
import io.requestflow.engine.tls.LocalCa;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A rehearsal of {@code ./flow kube} without a cluster: every Deployment's command runs as a process of
 * its own on this machine, exactly as the manifests give it (arguments, the ConfigMap's topology file, the
 * Secret's values), with the Services' names resolved to 127.0.0.1 by a hosts file (the JDK's
 * {@code jdk.net.hosts.file}) and the data stores from {@code serve --role data}. The one substitution: the
 * balancer's discovery asks the project's own DNS hop for the gateway pods instead of the cluster's DNS.
 * Then a request goes through the edge and must cross every hop.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class KubeRehearsalTest {
    private static final Pattern VARIABLE = Pattern.compile("\\$\\(([A-Z_]+)\\)");

    @TempDir
    Path home;

    @Test
    void theManifestsCommandsRunAsProcessesFormTheWholePath() throws Exception {
        int offset = freeOffset();
        String topology = """
                catalogProducts: 100
                edge: {port: %1$d, tlsPort: %18$d}
                firewall: {port: %2$d}
                balancer: {port: %3$d, slowStartMs: 0,
                           healthCheck: {intervalMs: 300, timeoutMs: 1000, healthyThreshold: 1, unhealthyThreshold: 2}}
                gateway: {port: %4$d, instances: 1}
                services:
                  auth: {port: %5$d, argon2MemoryKib: 1024, argon2Iterations: 1}
                  catalog: {port: %6$d}
                  inventory: {port: %7$d}
                  reviews: {port: %8$d}
                  recommendations: {port: %9$d}
                  page: {port: %10$d}
                  orders: {port: %11$d}
                dns: {port: %12$d, records: {shop: [127.0.0.1], gateway-pods: [127.0.0.1]}}
                dnsAdminPort: %13$d
                queue: {adminPort: %14$d}
                console: {port: %19$d}
                data:
                  postgres: {port: %15$d}
                  replicas: {count: 0}
                  redis: {port: %16$d}
                  kafka: {port: %17$d}
                """.formatted(8080 + offset, 8100 + offset, 8200 + offset, 8300 + offset, 8400 + offset, 8500 + offset,
                8510 + offset, 8520 + offset, 8530 + offset, 8540 + offset, 8550 + offset, 5353 + offset, 6353 + offset,
                9600 + offset, 5433 + offset, 6380 + offset, 9092 + offset, 8443 + offset, 9900 + offset);
        List<JsonNode> docs = documents(KubeCommand.generate(topology, "rehearsal", "requestflow", "unused", "edge-tls"));
        // the edge's TLS Secret, as its volume would hold it (the second substitution: a directory for the mount)
        LocalCa ca = LocalCa.loadOrCreate(home.resolve("cluster-ca"));
        Path tls = writeTlsSecret(ca.issue(List.of("shop.requestflow.test", "127.0.0.1")), home.resolve("edge-tls"));

        // the ConfigMap becomes the pods' topology file; discovery asks the dns hop (the one substitution)
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        JsonNode configMap = docs.stream().filter(d -> d.path("kind").asText().equals("ConfigMap")).findFirst().orElseThrow();
        ObjectNode cluster = (ObjectNode) yaml.readTree(configMap.at("/data/topology.yaml").asText());
        ObjectNode discovery = (ObjectNode) cluster.at("/balancer/discovery");
        discovery.put("name", "gateway-pods.requestflow.test").put("resolver", "127.0.0.1:" + (5353 + offset))
                .put("intervalMs", 500);
        Files.createDirectories(home.resolve("config"));
        Files.writeString(home.resolve("config/topology.yaml"), yaml.writeValueAsString(cluster));
        // the Services' names, as the cluster's DNS would give them
        Path hosts = home.resolve("hosts");
        StringBuilder names = new StringBuilder("127.0.0.1 localhost edge firewall balancer auth catalog inventory reviews"
                + " recommendations orders page dns dns.requestflow.svc.cluster.local");
        for (JsonNode d : docs) {
            String name = d.at("/metadata/name").asText();
            if (d.path("kind").asText().equals("Service") && name.endsWith("-admin")) {
                names.append(' ').append(name).append(".requestflow.svc.cluster.local");
            }
        }
        Files.writeString(hosts, names + "\n");
        Map<String, String> secret = Map.of(
                "POSTGRES_URL", "jdbc:postgresql://127.0.0.1:" + (5433 + offset) + "/requestflow",
                "POSTGRES_USER", "requestflow", "POSTGRES_PASSWORD", "requestflow",
                "REDIS_URL", "redis://127.0.0.1:" + (6380 + offset), "KAFKA_BOOTSTRAP", "127.0.0.1:" + (9092 + offset));

        List<Process> processes = new ArrayList<>();
        Map<String, Integer> admins = new LinkedHashMap<>();
        try {
            processes.add(start(List.of("serve", "--role", "data"), hosts, "data"));
            awaitPort(6380 + offset, "redis", processes);
            awaitPort(9092 + offset, "kafka", processes);
            for (JsonNode d : docs) {
                if (!d.path("kind").asText().equals("Deployment")) continue;
                String role = d.at("/metadata/name").asText();
                List<String> args = new ArrayList<>();
                for (JsonNode a : d.at("/spec/template/spec/containers/0/args")) {
                    args.add(substitute(a.asText(), secret).replace(Manifests.EdgeTls.MOUNT, tls.toString()));
                }
                processes.add(start(args, hosts, role));
                JsonNode probe = d.at("/spec/template/spec/containers/0/readinessProbe/httpGet/port");
                if (!probe.isMissingNode()) admins.put(role, probe.asInt()); // the console has none
            }
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            for (Map.Entry<String, Integer> admin : admins.entrySet()) {
                awaitReady(client, admin.getKey(), admin.getValue(), processes);
            }
            HttpResponse<String> product = client.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + (8080 + offset) + "/api/products/42"))
                    .timeout(Duration.ofSeconds(20)).build(), // 127.0.0.1 is one of the edge's hosts
                    HttpResponse.BodyHandlers.ofString());
            assertThat(product.statusCode()).as(product.body()).isEqualTo(200);
            assertThat(Json.tree(product.body().getBytes(StandardCharsets.UTF_8)).get("id").asLong()).isEqualTo(42);
            String timing = String.join(", ", product.headers().allValues("server-timing"));
            for (String hop : List.of("edge", "firewall", "balancer", "gateway", "catalog")) {
                assertThat(timing).as("Server-Timing crosses %s", hop).contains(hop + ";");
            }
            assertThat(timing).as("the balancer picked the discovered gateway pod")
                    .contains("balancer;dur=").contains("desc=\"127.0.0.1:" + (8300 + offset) + "\"");

            // HTTPS at the edge pod, with the Secret's certificate
            HttpClient https = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).sslContext(Http.trusting(ca.certificate())).build();
            HttpResponse<String> secure = https.send(HttpRequest.newBuilder(
                            URI.create("https://127.0.0.1:" + (8443 + offset) + "/api/products/42"))
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(secure.statusCode()).as(secure.body()).isEqualTo(200);
            assertThat(secure.version()).as("ALPN picks HTTP/2").isEqualTo(HttpClient.Version.HTTP_2);

            // the console pod finds every pod through the <role>-admin Services (as kubectl port-forward reaches it)
            awaitPort(9900 + offset, "console", processes);
            HttpResponse<String> path = client.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + (9900 + offset) + "/api/path"))
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(path.statusCode()).as(path.body()).isEqualTo(200);
            Map<String, String> states = new LinkedHashMap<>();
            for (JsonNode i : Json.tree(path.body().getBytes(StandardCharsets.UTF_8)).get("instances")) {
                states.put(i.get("name").asText(), i.get("state").asText());
            }
            assertThat(states).as("every pod, by role and address, ready").containsOnlyKeys(admins.keySet().stream()
                    .map(role -> role + "@127.0.0.1").toList());
            assertThat(states.values()).containsOnly("ready");
        } finally {
            for (Process p : processes.reversed()) p.destroy(); // SIGTERM: each drains and stops what it started
            for (Process p : processes) {
                if (!p.waitFor(20, TimeUnit.SECONDS)) p.destroyForcibly();
            }
        }
    }

    /** tls.crt (chain) and tls.key (PKCS#8) in {@code dir}, as a kubernetes.io/tls Secret's volume holds them. */
    private static Path writeTlsSecret(LocalCa.Issued issued, Path dir) throws IOException {
        Files.createDirectories(dir);
        java.io.StringWriter chain = new java.io.StringWriter();
        java.io.StringWriter key = new java.io.StringWriter();
        try (var w = new org.bouncycastle.openssl.jcajce.JcaPEMWriter(chain)) {
            for (var c : issued.chain()) w.writeObject(c);
        }
        try (var w = new org.bouncycastle.openssl.jcajce.JcaPEMWriter(key)) {
            w.writeObject(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(issued.key(), null));
        }
        Files.writeString(dir.resolve("tls.crt"), chain.toString());
        Files.writeString(dir.resolve("tls.key"), key.toString());
        return dir;
    }

    private Process start(List<String> args, Path hosts, String name) throws IOException {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-Xmx256m",
                "-XX:TieredStopAtLevel=1", "-Djdk.net.hosts.file=" + hosts, "-Drequestflow.home=" + home,
                "-cp", System.getProperty("java.class.path"), "io.requestflow.cli.Flow"));
        command.addAll(args);
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(home.resolve(name + ".log").toFile()).start();
    }

    private static String substitute(String arg, Map<String, String> secret) {
        Matcher m = VARIABLE.matcher(arg);
        StringBuilder out = new StringBuilder();
        while (m.find()) m.appendReplacement(out, Matcher.quoteReplacement(secret.get(m.group(1))));
        return m.appendTail(out).toString();
    }

    private void awaitReady(HttpClient client, String role, int admin, List<Process> processes) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            try {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/readyz"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) return;
            } catch (IOException notYet) {
                // still starting
            }
            checkAlive(processes);
            assertThat(System.nanoTime()).as(role + " ready within 120 s; its log: " + log(role)).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    private void awaitPort(int port, String what, List<Process> processes) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            try (var socket = new java.net.Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException notYet) {
                checkAlive(processes);
                assertThat(System.nanoTime()).as(what + " listening within 120 s; " + log("data")).isLessThan(deadline);
                Thread.sleep(200);
            }
        }
    }

    private void checkAlive(List<Process> processes) {
        for (Process p : processes) {
            assertThat(p.isAlive()).as("a process ended early: " + p.info().commandLine().orElse("?")).isTrue();
        }
    }

    private String log(String name) {
        try {
            List<String> lines = Files.readAllLines(home.resolve(name + ".log"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static List<JsonNode> documents(String yaml) throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        try (MappingIterator<JsonNode> it = new ObjectMapper(new YAMLFactory()).readerFor(JsonNode.class).readValues(yaml)) {
            while (it.hasNext()) {
                JsonNode doc = it.next();
                if (doc != null && !doc.isEmpty()) docs.add(doc);
            }
        }
        return docs;
    }

    /** An offset that puts every port of the topology (traffic, admin, data) on a free port of this machine. */
    private static int freeOffset() {
        int[] ports = {8080, 8100, 8200, 8300, 8400, 8500, 8510, 8520, 8530, 8540, 8550, 5353, 6353, 9600, 5433, 6380,
                9092, 9093, 8443, 9900};
        for (int attempt = 0; attempt < 50; attempt++) {
            int offset = ThreadLocalRandom.current().nextInt(10_000, 20_000);
            boolean free = true;
            for (int p : ports) {
                free &= isFree(p + offset) && (p == 5353 || p == 9092 || p == 9093 || p == 5433 || p == 6380 || p == 6353
                        || p == 9600 || p == 8443 || p == 9900 || isFree(p + offset + 1000));
            }
            if (free) return offset;
        }
        throw new IllegalStateException("no free set of ports");
    }

    private static boolean isFree(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress("0.0.0.0", port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
