package io.requestflow.cli.kube;

import io.requestflow.cli.Flow;
import io.requestflow.topology.Topology;
import io.requestflow.topology.TopologyLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code ./flow kube}: Kubernetes manifests for the topology, one hop per pod. */
@Command(name = "kube", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"Print Kubernetes manifests that run the topology one hop per pod.",
                "Each pod runs the same image with `serve --role R`; hops reach each other through Services",
                "named after their roles; the balancer finds the gateway pods through a headless Service.",
                "PostgreSQL, Redis and Kafka are yours: their addresses and credentials come from the Secret",
                "requestflow-data (keys postgres-url, postgres-user, postgres-password, redis-url, kafka-bootstrap).",
                "The console runs as a pod: kubectl -n NAMESPACE port-forward deploy/console 9900:9900.",
                "The image is built from deploy/Containerfile. See docs/kubernetes.md.",
                "",
                "Example: ./flow kube --image registry.example/requestflow:0.1 | kubectl apply -f -"})
public final class KubeCommand implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE", description = "Topology file (default: config/topology.yaml if present)")
    Path config;

    @Option(names = "--namespace", paramLabel = "NAME", defaultValue = "requestflow",
            description = "Namespace for everything (default: ${DEFAULT-VALUE})")
    String namespace;

    @Option(names = "--image", paramLabel = "IMAGE", defaultValue = "requestflow:0.1.0",
            description = "Container image built from deploy/Containerfile (default: ${DEFAULT-VALUE})")
    String image;

    @Option(names = "--edge-tls-secret", paramLabel = "SECRET",
            description = {"A kubernetes.io/tls Secret (tls.crt, tls.key) the edge pods serve HTTPS with, on port",
                    "edge.tlsPort (8443 when the file has none); a renewed Secret serves without a restart.",
                    "Without it the edge serves plain HTTP and TLS ends at your load balancer or ingress."})
    String edgeTlsSecret;

    @Override
    public Integer call() throws Exception {
        if (!namespace.matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")) {
            throw new IllegalArgumentException("--namespace must be a DNS label (lowercase letters, digits, '-'), got '"
                    + namespace + "'");
        }
        Path file = config != null ? config : Flow.home().resolve("config/topology.yaml");
        if (config != null && !Files.exists(file)) throw new IllegalArgumentException("config file " + file + " does not exist");
        String operatorYaml = Files.exists(file) ? Files.readString(file) : "";
        if (edgeTlsSecret != null && !edgeTlsSecret.matches("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?")) {
            throw new IllegalArgumentException("--edge-tls-secret must be a Secret name (lowercase letters, digits, '-', '.'),"
                    + " got '" + edgeTlsSecret + "'");
        }
        System.out.print(generate(operatorYaml, file.toString(), namespace, image, edgeTlsSecret));
        return 0;
    }

    /** The manifests for a topology file's text; {@code edgeTlsSecret} may be null (plain HTTP at the edge). */
    public static String generate(String operatorYaml, String origin, String namespace, String image, String edgeTlsSecret) {
        Topology operator = TopologyLoader.parse(operatorYaml, origin);
        String clusterYaml = ClusterTopology.yaml(operatorYaml, operator, namespace);
        Topology cluster = TopologyLoader.parse(clusterYaml, origin + " (as set for the cluster)");
        cluster.gateway.instances = Math.max(1, operator.gateway.instances); // replicas; the file says 0 fixed targets
        Manifests.EdgeTls edgeTls = edgeTlsSecret == null ? null
                : new Manifests.EdgeTls(edgeTlsSecret, operator.edge.tlsPort != null && operator.edge.tlsPort > 0
                ? operator.edge.tlsPort : 8443);
        return new Manifests(cluster, clusterYaml, namespace, image, edgeTls).yaml();
    }
}
