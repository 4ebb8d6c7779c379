package io.requestflow.cli.kube;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.requestflow.topology.Topology;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Kubernetes manifests for one topology, one hop per pod, each running the same image and the same
 * {@code serve --role R} that runs a hop per process here. Traffic between hops goes through Services named
 * after the roles; the balancer finds the gateway pods through a headless Service ({@code balancer.discovery});
 * PostgreSQL, Redis and Kafka are the cluster's own, named in a Secret. What the manifests do not cover is
 * said in docs/kubernetes.md (the embedded stores, autoscaling, NetworkPolicies).
 */
public final class Manifests {
    /** The headless Service whose A records are the ready gateway pods. */
    public static final String GATEWAY_PODS = "gateway-pods";
    /** The Secret the data stores' addresses and credentials come from. */
    public static final String DATA_SECRET = "requestflow-data";

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE));
    private static final List<String> DATA_ARGS = List.of("--postgres", "$(POSTGRES_URL)", "--postgres-user",
            "$(POSTGRES_USER)", "--postgres-password", "$(POSTGRES_PASSWORD)", "--redis", "$(REDIS_URL)");

    private final Topology topology;
    private final String namespace;
    private final String image;
    private final String topologyYaml;
    private final EdgeTls edgeTls;

    /**
     * HTTPS at the edge pods: the {@code kubernetes.io/tls} Secret they serve (its {@code tls.crt} and
     * {@code tls.key}, mounted and re-read when the Secret changes) and the port they serve it on.
     */
    public record EdgeTls(String secret, int port) {
        /** Where the Secret is mounted in the edge pods. */
        public static final String MOUNT = "/app/tls";
    }

    /**
     * @param topologyYaml the topology file every pod reads (see {@link ClusterTopology}): the same settings as
     *                     {@code topology}, which it was loaded from
     * @param edgeTls      null: the edge serves plain HTTP and TLS ends in front of it
     */
    public Manifests(Topology topology, String topologyYaml, String namespace, String image, EdgeTls edgeTls) {
        this.topology = topology;
        this.topologyYaml = topologyYaml;
        this.namespace = namespace;
        this.image = image;
        this.edgeTls = edgeTls;
    }

    /** Every document, in the order to apply them. */
    public List<ObjectNode> documents() {
        List<ObjectNode> docs = new ArrayList<>();
        docs.add(namespaceDoc());
        docs.add(configMap());
        Topology t = topology;
        Topology.Services s = t.services;
        String redis = "$(REDIS_URL)";
        if (edgeTls == null) {
            hop(docs, "edge", t.edge.port, 1, List.of("--upstream", url("firewall", t.firewall.port)), List.of());
        } else {
            edgeWithTls(docs);
        }
        hop(docs, "firewall", t.firewall.port, 1, List.of("--upstream", url("balancer", t.balancer.port), "--redis", redis),
                List.of("REDIS_URL"));
        hop(docs, "balancer", t.balancer.port, 1, List.of(), List.of());
        List<String> gateway = new ArrayList<>();
        for (Map.Entry<String, Integer> e : servicePorts().entrySet()) {
            gateway.addAll(List.of("--upstream", e.getKey() + "=" + url(e.getKey(), e.getValue())));
        }
        gateway.addAll(List.of("--redis", redis));
        hop(docs, "gateway", t.gateway.port, Math.max(1, t.gateway.instances), gateway, List.of("REDIS_URL"));
        docs.add(headlessGatewayService());
        List<String> dataEnv = List.of("POSTGRES_URL", "POSTGRES_USER", "POSTGRES_PASSWORD", "REDIS_URL");
        hop(docs, "auth", s.auth.port, 2, DATA_ARGS, dataEnv); // the signing keys are shared through PostgreSQL
        hop(docs, "catalog", s.catalog.port, 2, DATA_ARGS, dataEnv);
        hop(docs, "inventory", s.inventory.port, 2, DATA_ARGS, dataEnv);
        hop(docs, "reviews", s.reviews.port, 2, DATA_ARGS, dataEnv);
        hop(docs, "recommendations", s.recommendations.port, 2, DATA_ARGS, dataEnv);
        hop(docs, "orders", s.orders.port, 2, DATA_ARGS, dataEnv);
        hop(docs, "page", s.page.port, 2, List.of("--upstream", "catalog=" + url("catalog", s.catalog.port),
                "--upstream", "inventory=" + url("inventory", s.inventory.port),
                "--upstream", "reviews=" + url("reviews", s.reviews.port),
                "--upstream", "recommendations=" + url("recommendations", s.recommendations.port)), List.of());
        if (t.queue.enabled) {
            docs.add(deployment("queue", 1, List.of("serve", "--role", "queue", "--admin", "0.0.0.0:" + t.queue.adminPort,
                    "--postgres", "$(POSTGRES_URL)", "--postgres-user", "$(POSTGRES_USER)", "--postgres-password",
                    "$(POSTGRES_PASSWORD)", "--kafka", "$(KAFKA_BOOTSTRAP)"), List.of(),
                    t.queue.adminPort, List.of("POSTGRES_URL", "POSTGRES_USER", "POSTGRES_PASSWORD", "KAFKA_BOOTSTRAP")));
        }
        docs.add(dnsDeployment());
        docs.add(service("dns", "dns", List.of(port("dns-udp", t.dns.port(), "UDP"), port("dns-tcp", t.dns.port(), "TCP")), false));
        for (Map.Entry<String, Integer> admin : adminPorts(t).entrySet()) {
            docs.add(adminService(admin.getKey(), admin.getValue()));
        }
        docs.add(consoleDeployment());
        return docs;
    }

    /** The documents as one YAML stream ({@code kubectl apply -f -}). */
    public String yaml() {
        StringBuilder out = new StringBuilder("# Generated by `./flow kube` from the topology; see docs/kubernetes.md.\n");
        for (ObjectNode doc : documents()) {
            try {
                out.append("---\n").append(YAML.writeValueAsString(doc));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot write a manifest", e);
            }
        }
        return out.toString();
    }

    /**
     * Every role a pod runs, in path order, with the admin port its pods serve (the listen port + 1000, as
     * {@code serve --listen} gives it; dns and queue name theirs): what probes, the {@code <role>-admin}
     * Services and the console's {@link PodDirectory} use.
     */
    public static Map<String, Integer> adminPorts(Topology t) {
        Map<String, Integer> ports = new LinkedHashMap<>();
        ports.put("dns", t.dnsAdminPort);
        ports.put("edge", t.edge.port + 1000);
        ports.put("firewall", t.firewall.port + 1000);
        ports.put("balancer", t.balancer.port + 1000);
        ports.put("gateway", t.gateway.port + 1000);
        Topology.Services s = t.services;
        ports.put("auth", s.auth.port + 1000);
        ports.put("catalog", s.catalog.port + 1000);
        ports.put("inventory", s.inventory.port + 1000);
        ports.put("reviews", s.reviews.port + 1000);
        ports.put("recommendations", s.recommendations.port + 1000);
        ports.put("orders", s.orders.port + 1000);
        ports.put("page", s.page.port + 1000);
        if (t.queue.enabled) ports.put("queue", t.queue.adminPort);
        return ports;
    }

    /** The services behind the gateway, by name, with their ports (what the gateway's routes name). */
    private Map<String, Integer> servicePorts() {
        Topology.Services s = topology.services;
        Map<String, Integer> ports = new LinkedHashMap<>();
        ports.put("auth", s.auth.port);
        ports.put("catalog", s.catalog.port);
        ports.put("inventory", s.inventory.port);
        ports.put("reviews", s.reviews.port);
        ports.put("recommendations", s.recommendations.port);
        ports.put("page", s.page.port);
        ports.put("orders", s.orders.port);
        return ports;
    }

    private static String url(String service, int port) {
        return "http://" + service + ":" + port;
    }

    /** An HTTP hop: its Deployment (traffic on port, admin on port + 1000) and its Service. */
    private void hop(List<ObjectNode> docs, String role, int port, int replicas, List<String> extraArgs, List<String> env) {
        List<String> args = new ArrayList<>(List.of("serve", "--role", role, "--listen", "0.0.0.0:" + port));
        args.addAll(extraArgs);
        docs.add(deployment(role, replicas, args, List.of(port("http", port, "TCP")), port + 1000, env));
        if (!role.equals("gateway")) docs.add(service(role, role, List.of(port("http", port, "TCP")), false));
    }

    /** The edge serving plain HTTP and HTTPS with the certificate of {@link #edgeTls}'s Secret. */
    private void edgeWithTls(List<ObjectNode> docs) {
        int port = topology.edge.port;
        List<ObjectNode> ports = List.of(port("http", port, "TCP"), port("https", edgeTls.port(), "TCP"));
        ObjectNode doc = deployment("edge", 1, List.of("serve", "--role", "edge", "--listen", "0.0.0.0:" + port,
                "--upstream", url("firewall", topology.firewall.port), "--tls-listen", "0.0.0.0:" + edgeTls.port(),
                "--tls-cert", EdgeTls.MOUNT + "/tls.crt", "--tls-key", EdgeTls.MOUNT + "/tls.key"), ports, port + 1000, List.of());
        ObjectNode pod = (ObjectNode) doc.path("spec").path("template").path("spec");
        ((ArrayNode) pod.path("containers").get(0).path("volumeMounts")).addObject()
                .put("name", "edge-tls").put("mountPath", EdgeTls.MOUNT).put("readOnly", true);
        ((ArrayNode) pod.path("volumes")).addObject().put("name", "edge-tls").putObject("secret")
                .put("secretName", edgeTls.secret());
        docs.add(doc);
        docs.add(service("edge", "edge", ports, false));
    }

    private ObjectNode deployment(String role, int replicas, List<String> args, List<ObjectNode> ports, int admin,
                                  List<String> env) {
        ObjectNode doc = object("apps/v1", "Deployment", role);
        ObjectNode spec = doc.putObject("spec");
        spec.put("replicas", replicas);
        spec.putObject("selector").putObject("matchLabels").put("app.kubernetes.io/name", role);
        ObjectNode template = spec.putObject("template");
        template.putObject("metadata").putObject("labels").put("app.kubernetes.io/name", role)
                .put("app.kubernetes.io/part-of", "requestflow");
        ObjectNode pod = template.putObject("spec");
        // on SIGTERM a hop stops taking connections and lets in-flight requests finish (server.drainTimeoutMs)
        pod.put("terminationGracePeriodSeconds", Math.max(30, topology.server.drainTimeoutMs() / 1000 + 10));
        ObjectNode container = pod.putArray("containers").addObject();
        container.put("name", role);
        container.put("image", image);
        ArrayNode argList = container.putArray("args");
        args.forEach(argList::add);
        ArrayNode portList = container.putArray("ports");
        ports.forEach(portList::add);
        portList.add(port("admin", admin, "TCP"));
        ArrayNode envList = container.putArray("env");
        // the collector, as the flow launcher picks it: a lone balancer's garbage is all short-lived
        envList.addObject().put("name", "JAVA_TOOL_OPTIONS")
                .put("value", role.equals("balancer") ? "-XX:+UseParallelGC" : "-XX:+UseG1GC");
        for (String name : env) {
            ObjectNode ref = envList.addObject().put("name", name).putObject("valueFrom").putObject("secretKeyRef");
            ref.put("name", DATA_SECRET).put("key", name.toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
        }
        container.set("readinessProbe", probe("/readyz", admin, 5));
        container.set("livenessProbe", probe("/healthz", admin, 10));
        ObjectNode resources = container.putObject("resources");
        resources.putObject("requests").put("cpu", "250m").put("memory", "512Mi");
        resources.putObject("limits").put("memory", "1Gi");
        ArrayNode mounts = container.putArray("volumeMounts");
        mounts.addObject().put("name", "topology").put("mountPath", "/app/config");
        mounts.addObject().put("name", "data").put("mountPath", "/app/var");
        ArrayNode volumes = pod.putArray("volumes");
        volumes.addObject().put("name", "topology").putObject("configMap").put("name", "topology");
        volumes.addObject().put("name", "data").putObject("emptyDir");
        return doc;
    }

    private ObjectNode dnsDeployment() {
        int port = topology.dns.port();
        ObjectNode doc = deployment("dns", 1, List.of("serve", "--role", "dns", "--listen", "0.0.0.0:" + port, "--admin",
                "0.0.0.0:" + topology.dnsAdminPort), List.of(port("dns-udp", port, "UDP"), port("dns-tcp", port, "TCP")),
                topology.dnsAdminPort, List.of());
        return doc;
    }

    /**
     * The headless Service whose A records are every pod of a role, ready or not, on its admin port: how
     * the console finds each pod ({@link PodDirectory}).
     */
    private ObjectNode adminService(String role, int adminPort) {
        ObjectNode doc = service(PodDirectory.adminService(role), role, List.of(port("admin", adminPort, "TCP")), true);
        ((ObjectNode) doc.path("spec")).put("publishNotReadyAddresses", true);
        return doc;
    }

    /**
     * The console, listening on the pod's loopback only: reach it with {@code kubectl port-forward}, whose
     * rights are the access control (it can break any pod). Without a listener the kubelet could reach, it
     * has no probes and no admin port.
     */
    private ObjectNode consoleDeployment() {
        int port = topology.console.port;
        ObjectNode doc = deployment("console", 1, List.of("serve", "--role", "console", "--listen", "127.0.0.1:" + port),
                List.of(port("http", port, "TCP")), 0, List.of());
        ObjectNode container = (ObjectNode) doc.path("spec").path("template").path("spec").path("containers").get(0);
        container.remove(List.of("readinessProbe", "livenessProbe"));
        ArrayNode ports = (ArrayNode) container.path("ports");
        for (int i = ports.size() - 1; i >= 0; i--) if (ports.get(i).path("name").asText().equals("admin")) ports.remove(i);
        return doc;
    }

    private ObjectNode headlessGatewayService() {
        // not ready pods stay out of its records, so the balancer registers a gateway once Kubernetes sees it ready
        return service(GATEWAY_PODS, "gateway", List.of(port("http", topology.gateway.port, "TCP")), true);
    }

    private ObjectNode service(String name, String role, List<ObjectNode> ports, boolean headless) {
        ObjectNode doc = object("v1", "Service", name);
        ObjectNode spec = doc.putObject("spec");
        if (headless) spec.put("clusterIP", "None");
        spec.putObject("selector").put("app.kubernetes.io/name", role);
        ArrayNode list = spec.putArray("ports");
        for (ObjectNode p : ports) {
            list.addObject().put("name", p.get("name").asText()).put("port", p.get("containerPort").asInt())
                    .put("targetPort", p.get("containerPort").asInt()).put("protocol", p.get("protocol").asText());
        }
        return doc;
    }

    private ObjectNode namespaceDoc() {
        ObjectNode doc = JSON.objectNode();
        doc.put("apiVersion", "v1").put("kind", "Namespace");
        doc.putObject("metadata").put("name", namespace);
        return doc;
    }

    private ObjectNode configMap() {
        ObjectNode doc = object("v1", "ConfigMap", "topology");
        doc.putObject("data").put("topology.yaml", topologyYaml);
        return doc;
    }

    private ObjectNode object(String apiVersion, String kind, String name) {
        ObjectNode doc = JSON.objectNode();
        doc.put("apiVersion", apiVersion).put("kind", kind);
        ObjectNode metadata = doc.putObject("metadata");
        metadata.put("name", name).put("namespace", namespace);
        metadata.putObject("labels").put("app.kubernetes.io/part-of", "requestflow");
        return doc;
    }

    private static ObjectNode port(String name, int port, String protocol) {
        return JSON.objectNode().put("name", name).put("containerPort", port).put("protocol", protocol);
    }

    private static ObjectNode probe(String path, int port, int periodSeconds) {
        ObjectNode probe = JSON.objectNode();
        probe.putObject("httpGet").put("path", path).put("port", port);
        probe.put("periodSeconds", periodSeconds);
        probe.put("timeoutSeconds", 2);
        return probe;
    }
}
