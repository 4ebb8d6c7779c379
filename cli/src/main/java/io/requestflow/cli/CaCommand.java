package io.requestflow.cli;

import io.requestflow.engine.tls.LocalCa;
import io.requestflow.topology.Topology;
import io.requestflow.topology.TopologyLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.Callable;

/** {@code ./flow ca}: where the local CA certificate is and how to make a client trust it. */
@Command(name = "ca", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"Show the local certificate authority that signs the edge's HTTPS certificate",
                "(created on first use in <dataDir>/ca/), and how to trust it. An edge given a certificate of",
                "its own (edge.tlsCertificate, serve --tls-cert) does not use it."})
public final class CaCommand implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE", description = "Topology file (default: config/topology.yaml)")
    Path config;

    @Override
    public Integer call() throws Exception {
        Path file = config != null ? config : Flow.home().resolve("config/topology.yaml");
        Topology t = TopologyLoader.load(file, config != null);
        LocalCa ca = LocalCa.loadOrCreate(Flow.home().resolve(t.dataDir).resolve("ca"));
        Path pem = ca.certificateFile();
        String sha256 = HexFormat.ofDelimiter(":").withUpperCase()
                .formatHex(MessageDigest.getInstance("SHA-256").digest(ca.certificate().getEncoded()));
        String url = "https://shop." + t.dns.zone() + ":" + (t.edge.tlsPort == null ? 8443 : t.edge.tlsPort)
                + "/api/products/42";
        System.out.println("CA certificate: " + pem);
        System.out.println("  subject  " + ca.certificate().getSubjectX500Principal().getName());
        System.out.println("  expires  " + ca.certificate().getNotAfter().toInstant());
        System.out.println("  SHA-256  " + sha256);
        System.out.println("The private key beside it (ca-key.pem) is readable by its owner only; keep it that way.");
        System.out.println();
        System.out.println("Trust it:");
        System.out.println("  ./flow get          trusts it by itself: ./flow get " + url);
        System.out.println("  curl                curl --cacert " + pem + " --resolve shop." + t.dns.zone() + ":"
                + (t.edge.tlsPort == null ? 8443 : t.edge.tlsPort) + ":127.0.0.1 " + url);
        System.out.println("  Firefox             Settings > Privacy & Security > Certificates > View Certificates >");
        System.out.println("                      Authorities > Import " + pem + " (trust for websites)");
        System.out.println("  Chrome (Linux)      certutil -d sql:$HOME/.pki/nssdb -A -t C,, -n requestflow -i " + pem);
        System.out.println("  system (Debian)     sudo cp " + pem + " /usr/local/share/ca-certificates/requestflow.crt"
                + " && sudo update-ca-certificates");
        System.out.println("Browsers also need shop." + t.dns.zone() + " to resolve to 127.0.0.1 (for example a line"
                + " in /etc/hosts).");
        if (t.edge.tlsCertificate != null) {
            System.out.println();
            System.out.println("Note: edge.tlsCertificate is set, so the edge serves " + t.edge.tlsCertificate
                    + " instead of a certificate from this CA; trust whatever issued that one.");
        }
        return 0;
    }
}
