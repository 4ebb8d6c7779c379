package io.requestflow.services.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.text.ParseException;
import java.util.Map;

/**
 * The ES256 (P-256) key the auth service signs tokens with. It is created on first start and kept in
 * the data directory (owner-only permissions) so tokens stay valid across restarts; the public half
 * is published as a JWKS.
 */
public final class SigningKeys {
    private final ECKey key;

    private SigningKeys(ECKey key) {
        this.key = key;
    }

    public static SigningKeys loadOrCreate(Path file) {
        try {
            if (Files.exists(file)) {
                return new SigningKeys(ECKey.parse(Files.readString(file, StandardCharsets.UTF_8)));
            }
            ECKey key = new ECKeyGenerator(Curve.P_256).keyUse(KeyUse.SIGNATURE).keyIDFromThumbprint(true)
                    .algorithm(com.nimbusds.jose.JWSAlgorithm.ES256).generate();
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, key.toJSONString(), StandardCharsets.UTF_8);
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system; the directory's permissions have to do
            }
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return new SigningKeys(key);
        } catch (IOException | ParseException | JOSEException e) {
            throw new IllegalStateException("auth: cannot load or create the signing key at " + file + ": "
                    + e.getMessage(), e);
        }
    }

    public ECKey privateKey() {
        return key;
    }

    /** The public keys as a JWKS document. */
    public Map<String, Object> jwks() {
        return new JWKSet(key.toPublicJWK()).toJSONObject(true);
    }
}
