package io.requestflow.services.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import io.requestflow.engine.http.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The ES256 (P-256) keys the auth service signs with, kept in one file in the data directory
 * (owner-only permissions). Three roles:
 * <ul>
 *   <li>{@code active}: signs new tokens;</li>
 *   <li>{@code next}: published in the JWKS but not used yet, so gateways already hold it when it
 *       becomes active — a rotation needs no refetch and fails no request;</li>
 *   <li>retired: the previously active keys, still published until {@code retireAt} (token lifetime
 *       plus skew), so tokens they signed stay valid until they expire.</li>
 * </ul>
 * {@link #rotate} makes next active, creates a new next, and retires the old active. Every instance
 * re-reads the file when it changes, so a rotation by one instance (or by {@code ./flow keys rotate}
 * on the file) reaches all of them within a second.
 */
public final class SigningKeys {
    private record Retired(ECKey key, long retireAtEpochSeconds) {}

    private record State(ECKey active, ECKey next, List<Retired> retired) {}

    private final Path file;
    private volatile State state;
    private volatile FileTime loadedModified;
    private volatile long checkedAtNanos;

    private SigningKeys(Path file, State state) {
        this.file = file;
        this.state = state;
    }

    /**
     * Loads the key file, or creates one. A single-key file from before rotation existed
     * ({@code signing-key.jwk.json} beside it) is adopted as the active key.
     */
    public static synchronized SigningKeys loadOrCreate(Path file) {
        try {
            if (Files.exists(file)) {
                SigningKeys keys = new SigningKeys(file, read(file));
                keys.loadedModified = Files.getLastModifiedTime(file);
                return keys;
            }
            Path legacy = file.resolveSibling("signing-key.jwk.json");
            ECKey active = Files.exists(legacy) ? ECKey.parse(Files.readString(legacy, StandardCharsets.UTF_8)) : generate();
            SigningKeys keys = new SigningKeys(file, new State(active, generate(), List.of()));
            keys.write();
            return keys;
        } catch (IOException | ParseException | JOSEException e) {
            throw new IllegalStateException("auth: cannot load or create the signing keys at " + file + ": "
                    + e.getMessage(), e);
        }
    }

    /** The key that signs new tokens. */
    public ECKey privateKey() {
        return current().active();
    }

    /** The public keys (active, next, and retired ones not yet past their retirement) as a JWKS document. */
    public Map<String, Object> jwks() {
        State s = current();
        long now = System.currentTimeMillis() / 1000;
        List<JWK> published = new ArrayList<>();
        published.add(s.active().toPublicJWK());
        published.add(s.next().toPublicJWK());
        for (Retired r : s.retired()) if (r.retireAtEpochSeconds() > now) published.add(r.key().toPublicJWK());
        return new JWKSet(published).toJSONObject(true);
    }

    /**
     * Next becomes active, a new next is created, the old active stays published for {@code overlapSeconds}.
     * Returns the new active key id.
     */
    public synchronized String rotate(long overlapSeconds) {
        try {
            State s = read(file);
            long now = System.currentTimeMillis() / 1000;
            List<Retired> retired = new ArrayList<>();
            for (Retired r : s.retired()) if (r.retireAtEpochSeconds() > now) retired.add(r);
            retired.add(new Retired(s.active(), now + overlapSeconds));
            state = new State(s.next(), generate(), List.copyOf(retired));
            write();
            return state.active().getKeyID();
        } catch (IOException | ParseException | JOSEException e) {
            throw new IllegalStateException("auth: cannot rotate the signing keys in " + file + ": " + e.getMessage(), e);
        }
    }

    /** The current state, re-read when the file changed (checked at most once a second). */
    private State current() {
        long now = System.nanoTime();
        if (now - checkedAtNanos > 1_000_000_000L) {
            checkedAtNanos = now;
            try {
                FileTime modified = Files.getLastModifiedTime(file);
                if (!modified.equals(loadedModified)) {
                    synchronized (this) {
                        state = read(file);
                        loadedModified = modified;
                    }
                }
            } catch (IOException | ParseException | RuntimeException e) {
                // keep signing with the keys in memory; the file may be mid-replace or gone
            }
        }
        return state;
    }

    private static ECKey generate() throws JOSEException {
        return new ECKeyGenerator(Curve.P_256).keyUse(KeyUse.SIGNATURE).keyIDFromThumbprint(true)
                .algorithm(JWSAlgorithm.ES256).generate();
    }

    private static State read(Path file) throws IOException, ParseException {
        JsonNode root = Json.MAPPER.readTree(Files.readString(file, StandardCharsets.UTF_8));
        ECKey active = ECKey.parse(root.path("active").toString());
        ECKey next = ECKey.parse(root.path("next").toString());
        List<Retired> retired = new ArrayList<>();
        for (JsonNode r : root.path("retired")) {
            retired.add(new Retired(ECKey.parse(r.path("key").toString()), r.path("retireAt").asLong()));
        }
        return new State(active, next, List.copyOf(retired));
    }

    private void write() throws IOException {
        State s = state;
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.set("active", Json.MAPPER.readTree(s.active().toJSONString()));
        root.set("next", Json.MAPPER.readTree(s.next().toJSONString()));
        ArrayNode retired = root.putArray("retired");
        for (Retired r : s.retired()) {
            ObjectNode entry = retired.addObject();
            entry.set("key", Json.MAPPER.readTree(r.key().toJSONString()));
            entry.put("retireAt", r.retireAtEpochSeconds());
        }
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root), StandardCharsets.UTF_8);
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system; the directory's permissions have to do
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        loadedModified = Files.getLastModifiedTime(file);
    }
}
