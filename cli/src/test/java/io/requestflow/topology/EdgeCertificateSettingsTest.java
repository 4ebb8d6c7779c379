package io.requestflow.topology;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code edge.tlsCertificate} and {@code edge.tlsKey}: both or neither, relative to the Requestflow directory. */
class EdgeCertificateSettingsTest {
    @Test
    void relativePathsResolveAgainstHomeAndAbsoluteOnesStay() {
        Topology t = TopologyLoader.parse("edge: {tlsCertificate: tls/chain.pem, tlsKey: /etc/keys/key.pem}", "test");
        t.edge.resolveCertificatePaths(Path.of("/opt/requestflow"));
        assertThat(t.edge.tlsCertificate).isEqualTo("/opt/requestflow/tls/chain.pem");
        assertThat(t.edge.tlsKey).isEqualTo("/etc/keys/key.pem");

        Topology none = TopologyLoader.parse("", "test");
        none.edge.resolveCertificatePaths(Path.of("/opt/requestflow"));
        assertThat(none.edge.tlsCertificate).as("the local CA's certificate").isNull();
    }

    @Test
    void aCertificateWithoutItsKeyIsRefusedSayingWhatToSet() {
        Topology t = TopologyLoader.parse("edge: {tlsCertificate: tls/chain.pem}", "test");
        assertThatThrownBy(() -> t.edge.resolveCertificatePaths(Path.of("/opt/requestflow")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("edge.tlsKey");
    }
}
