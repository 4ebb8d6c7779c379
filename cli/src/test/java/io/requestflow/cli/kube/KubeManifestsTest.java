package io.requestflow.cli.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.requestflow.cli.ServeCommand;
import io.requestflow.topology.Roles;
import io.requestflow.topology.Topology;
import io.requestflow.topology.TopologyLoader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code ./flow kube} for the project's own topology file. There is no cluster here, so this checks what
 * can be checked without one: every pod's command is one {@code serve} accepts, every upstream it names is a
 * Service of this output on that port, the probes hit the admin ports, the pods' topology file loads and
 * points the balancer's discovery at the headless Service of the gateway pods.
 */
class KubeManifestsTest {
    static final Set<String> SECRET_KEYS = Set.of("postgres-url", "postgres-user", "postgres-password", "redis-url",
            "kafka-bootstrap");
    static List<JsonNode> docs;

    @BeforeAll
    static void generate() throws Exception {
        Path file = Path.of("../config/topology.yaml");
        if (!Files.exists(file)) file = Path.of("config/topology.yaml");
        docs = parse(KubeCommand.generate(Files.readString(file), file.toString(), "shop", "registry.example/requestflow:1",
                "shop-tls"));
    }

    static List<JsonNode> parse(String yaml) throws Exception {
        List<JsonNode> parsed = new ArrayList<>();
        try (MappingIterator<JsonNode> it = new ObjectMapper(new YAMLFactory()).readerFor(JsonNode.class).readValues(yaml)) {
            while (it.hasNext()) {
                JsonNode doc = it.next();
                if (doc != null && !doc.isEmpty()) parsed.add(doc);
            }
        }
        return parsed;
    }

    static JsonNode named(List<JsonNode> in, String kind, String name) {
        return in.stream().filter(d -> d.path("kind").asText().equals(kind) && d.at("/metadata/name").asText().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    @Test
    void everyPodIsListedByItsRolesAdminServiceForTheConsoleWhichListensOnLoopbackOnly() {
        int roles = 0;
        for (JsonNode d : kind("Deployment")) {
            String role = d.at("/metadata/name").asText();
            if (role.equals("console")) continue;
            JsonNode admin = named(docs, "Service", role + "-admin");
            assertThat(admin.at("/spec/clusterIP").asText()).isEqualTo("None");
            assertThat(admin.at("/spec/publishNotReadyAddresses").asBoolean()).as("the console sees unready pods too").isTrue();
            assertThat(admin.at("/spec/selector/app.kubernetes.io~1name").asText()).isEqualTo(role);
            assertThat(admin.at("/spec/ports/0/port").asInt()).isEqualTo(port(d, "admin"));
            roles++;
        }
        assertThat(roles).isEqualTo(13);

        JsonNode console = named(docs, "Deployment", "console");
        assertThat(args(console)).containsSequence("--role", "console").containsSequence("--listen", "127.0.0.1:9900");
        assertThat(container(console).has("readinessProbe")).isFalse();
        Topology t = TopologyLoader.parse(kind("ConfigMap").getFirst().at("/data/topology.yaml").asText(), "the ConfigMap");
        assertThat(t.console.podDomain).isEqualTo("shop.svc.cluster.local");
        assertThat(docs.stream().filter(d -> d.path("kind").asText().equals("Service"))
                .map(d -> d.at("/metadata/name").asText())).doesNotContain("console");
    }

    @Test
    void theEdgeServesTheTlsSecretsCertificateOnItsTlsPort() throws Exception {
        JsonNode edge = named(docs, "Deployment", "edge");
        List<String> args = args(edge);
        assertThat(args).containsSequence("--tls-listen", "0.0.0.0:8443")
                .containsSequence("--tls-cert", Manifests.EdgeTls.MOUNT + "/tls.crt")
                .containsSequence("--tls-key", Manifests.EdgeTls.MOUNT + "/tls.key");
        assertThat(port(edge, "https")).isEqualTo(8443);
        assertThat(edge.at("/spec/template/spec/volumes").findValues("secretName")).extracting(JsonNode::asText)
                .containsExactly("shop-tls");
        JsonNode mount = null;
        for (JsonNode m : container(edge).path("volumeMounts")) if (m.path("name").asText().equals("edge-tls")) mount = m;
        assertThat(mount).isNotNull();
        assertThat(mount.path("mountPath").asText()).isEqualTo(Manifests.EdgeTls.MOUNT);
        assertThat(mount.path("readOnly").asBoolean()).isTrue();
        assertThat(named(docs, "Service", "edge").at("/spec/ports").findValues("port")).extracting(JsonNode::asInt)
                .containsExactlyInAnyOrder(8080, 8443);

        // without a Secret: plain HTTP only, TLS ends in front of the edge
        Path file = Path.of("../config/topology.yaml");
        if (!Files.exists(file)) file = Path.of("config/topology.yaml");
        List<JsonNode> plain = parse(KubeCommand.generate(Files.readString(file), file.toString(), "shop", "img", null));
        JsonNode plainEdge = named(plain, "Deployment", "edge");
        assertThat(args(plainEdge)).doesNotContain("--tls-listen", "--tls-cert");
        assertThat(plainEdge.at("/spec/template/spec/volumes").findValues("secret")).isEmpty();
        assertThat(named(plain, "Service", "edge").at("/spec/ports").findValues("port")).extracting(JsonNode::asInt)
                .containsExactly(8080);
    }

    static List<JsonNode> kind(String kind) {
        return docs.stream().filter(d -> d.path("kind").asText().equals(kind)).toList();
    }

    static JsonNode container(JsonNode deployment) {
        return deployment.at("/spec/template/spec/containers/0");
    }

    static List<String> args(JsonNode deployment) {
        List<String> args = new ArrayList<>();
        container(deployment).path("args").forEach(a -> args.add(a.asText()));
        return args;
    }

    static int port(JsonNode deployment, String name) {
        for (JsonNode p : container(deployment).path("ports")) if (p.path("name").asText().equals(name)) return p.path("containerPort").asInt();
        throw new AssertionError(deployment.at("/metadata/name").asText() + " has no port " + name);
    }

    @Test
    void everyRoleRunsInItsOwnDeploymentWithACommandServeAccepts() {
        Set<String> roles = new HashSet<>();
        for (JsonNode d : kind("Deployment")) {
            List<String> args = args(d);
            assertThat(args.getFirst()).isEqualTo("serve");
            List<String> options = new ArrayList<>();
            for (String a : args.subList(1, args.size())) options.add(a.replaceAll("\\$\\(([A-Z_]+)\\)", "value-of-$1"));
            // what the container's entrypoint will hand to picocli
            new CommandLine(new ServeCommand()).parseArgs(options.toArray(String[]::new));
            String role = args.get(args.indexOf("--role") + 1);
            assertThat(Roles.NAMES).contains(role);
            assertThat(d.at("/metadata/namespace").asText()).isEqualTo("shop");
            assertThat(container(d).path("image").asText()).isEqualTo("registry.example/requestflow:1");
            roles.add(role);
        }
        assertThat(roles).containsExactlyInAnyOrder("dns", "edge", "firewall", "balancer", "gateway", "auth", "catalog",
                "inventory", "reviews", "recommendations", "orders", "page", "queue", "console");
    }

    @Test
    void probesHitEachPodsAdminPortAndListenersMatchTheirContainerPorts() {
        for (JsonNode d : kind("Deployment")) {
            List<String> args = args(d);
            if (args.contains("console")) continue; // loopback only, no probes: see the console's own test
            int admin = port(d, "admin");
            assertThat(container(d).at("/readinessProbe/httpGet/port").asInt()).isEqualTo(admin);
            assertThat(container(d).at("/readinessProbe/httpGet/path").asText()).isEqualTo("/readyz");
            assertThat(container(d).at("/livenessProbe/httpGet/path").asText()).isEqualTo("/healthz");
            int listen = args.contains("--listen") ? Integer.parseInt(args.get(args.indexOf("--listen") + 1).split(":")[1]) : -1;
            if (args.contains("--admin")) {
                assertThat(args.get(args.indexOf("--admin") + 1)).isEqualTo("0.0.0.0:" + admin);
            } else {
                assertThat(admin).as("serve's admin port is the listen port + 1000").isEqualTo(listen + 1000);
            }
            String role = args.get(args.indexOf("--role") + 1);
            if (listen > 0) assertThat(port(d, role.equals("dns") ? "dns-udp" : "http")).isEqualTo(listen);
        }
    }

    @Test
    void everyUpstreamIsAServiceOfTheOutputOnThatPort() {
        Map<String, Set<Integer>> services = new HashMap<>();
        for (JsonNode s : kind("Service")) {
            Set<Integer> ports = new HashSet<>();
            s.at("/spec/ports").forEach(p -> ports.add(p.path("port").asInt()));
            services.put(s.at("/metadata/name").asText(), ports);
        }
        int checked = 0;
        for (JsonNode d : kind("Deployment")) {
            for (String a : args(d)) {
                if (!a.contains("http://")) continue;
                URI uri = URI.create(a.substring(a.indexOf("http://")));
                assertThat(services).as("a Service named %s", uri.getHost()).containsKey(uri.getHost());
                assertThat(services.get(uri.getHost())).contains(uri.getPort());
                checked++;
            }
        }
        assertThat(checked).as("edge, firewall, 7 gateway routes, 4 page parts").isEqualTo(13);
    }

    @Test
    void theBalancerFindsTheGatewayPodsThroughTheHeadlessService() {
        JsonNode config = kind("ConfigMap").getFirst();
        Topology t = TopologyLoader.parse(config.at("/data/topology.yaml").asText(), "the ConfigMap");
        assertThat(t.bind).isEqualTo("0.0.0.0");
        assertThat(t.gateway.instances).as("no fixed targets at 0.0.0.0").isZero();
        assertThat(t.balancer.discovery.name()).isEqualTo(Manifests.GATEWAY_PODS + ".shop.svc.cluster.local");

        JsonNode headless = kind("Service").stream().filter(s -> s.at("/metadata/name").asText().equals(Manifests.GATEWAY_PODS))
                .findFirst().orElseThrow();
        assertThat(headless.at("/spec/clusterIP").asText()).isEqualTo("None");
        assertThat(headless.at("/spec/selector/app.kubernetes.io~1name").asText()).isEqualTo("gateway");
        JsonNode gateway = kind("Deployment").stream().filter(d -> d.at("/metadata/name").asText().equals("gateway"))
                .findFirst().orElseThrow();
        assertThat(t.balancer.discovery.port()).isEqualTo(port(gateway, "http"));
        assertThat(t.balancer.discovery.healthPort()).isEqualTo(port(gateway, "admin"));
        assertThat(gateway.at("/spec/replicas").asInt()).isEqualTo(2);
    }

    @Test
    void credentialsComeFromTheDataSecretNeverFromTheFile() {
        for (JsonNode d : kind("Deployment")) {
            for (JsonNode env : container(d).path("env")) {
                if (env.path("name").asText().equals("JAVA_TOOL_OPTIONS")) {
                    // the collector, as the flow launcher picks it; nothing secret
                    boolean balancer = d.at("/metadata/name").asText().equals("balancer");
                    assertThat(env.path("value").asText()).isEqualTo(balancer ? "-XX:+UseParallelGC" : "-XX:+UseG1GC");
                    continue;
                }
                assertThat(env.at("/valueFrom/secretKeyRef/name").asText()).isEqualTo(Manifests.DATA_SECRET);
                assertThat(SECRET_KEYS).contains(env.at("/valueFrom/secretKeyRef/key").asText());
            }
        }
        assertThat(kind("ConfigMap").getFirst().at("/data/topology.yaml").asText()).doesNotContain("password");
    }

    @Test
    void aNamespaceThatIsNotADnsLabelIsRefused() {
        KubeCommand command = new KubeCommand();
        new CommandLine(command).parseArgs("--namespace", "Shop_1");
        assertThatThrownBy(command::call).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("DNS label");
    }
}
