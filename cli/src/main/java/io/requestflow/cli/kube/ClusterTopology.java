package io.requestflow.cli.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.requestflow.topology.Topology;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The topology file the pods read: the operator's file with what changes on a cluster set over it. Every
 * hop listens on all interfaces; the balancer has no fixed gateway targets and finds the gateway pods through
 * the headless Service instead; the firewall trusts X-Forwarded-For from private (pod) addresses; the data
 * stores come from the Secret (command-line options), not the file.
 */
final class ClusterTopology {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

    private ClusterTopology() {}

    /**
     * @param operatorYaml the operator's topology file (empty: the built-in defaults)
     * @param topology     the same file, loaded (for the ports the overrides name)
     */
    static String yaml(String operatorYaml, Topology topology, String namespace) {
        try {
            JsonNode read = operatorYaml.isBlank() ? null : YAML.readTree(operatorYaml);
            ObjectNode root = read instanceof ObjectNode o ? o : YAML.createObjectNode();
            root.put("bind", "0.0.0.0");
            ObjectNode gateway = object(root, "gateway");
            gateway.put("instances", 0); // the balancer's fixed targets: none, discovery finds the pods
            ObjectNode discovery = object(object(root, "balancer"), "discovery");
            discovery.put("name", Manifests.GATEWAY_PODS + "." + namespace + ".svc.cluster.local");
            discovery.put("port", topology.gateway.port);
            discovery.put("healthPort", topology.gateway.port + 1000);
            discovery.put("healthPath", "/readyz");
            object(root, "edge").putNull("tlsPort"); // TLS ends at the cluster's load balancer or ingress
            // the edge's pods forward X-Forwarded-For from private addresses; narrow this to the pod network
            var trusted = object(root, "firewall").putArray("trustedProxies");
            trusted.add("10.0.0.0/8").add("172.16.0.0/12").add("192.168.0.0/16");
            // `up` is not used on a cluster; the console pod finds every pod through the <role>-admin Services
            object(root, "console").put("enabled", false).put("podDomain", namespace + ".svc.cluster.local");
            // credentials live in the Secret; the file (a ConfigMap, readable by more people) carries none
            JsonNode postgres = root.path("data").path("postgres");
            if (postgres instanceof ObjectNode p) p.remove(java.util.List.of("user", "password", "url"));
            return YAML.writeValueAsString(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the cluster's topology", e);
        }
    }

    private static ObjectNode object(ObjectNode parent, String field) {
        JsonNode existing = parent.get(field);
        return existing instanceof ObjectNode o ? o : parent.putObject(field);
    }
}
