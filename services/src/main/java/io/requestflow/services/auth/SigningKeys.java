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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The ES256 (P-256) keys the auth service signs with, kept as one document in PostgreSQL
 * ({@code auth_signing_keys}, migration {@code V6}) so every auth instance signs with the same key and
 * publishes the same JWKS, on one machine or as pods of a Deployment. Three roles:
 * <ul>
 *   <li>{@code active}: signs new tokens;</li>
 *   <li>{@code next}: published in the JWKS but not used yet, so gateways already hold it when it
 *       becomes active — a rotation needs no refetch and fails no request;</li>
 *   <li>retired: the previously active keys, still published until {@code retireAt} (token lifetime
 *       plus skew), so tokens they signed stay valid until they expire.</li>
 * </ul>
 * {@link #rotate} makes next active, creates a new next, and retires the old active, in one transaction
 * that locks the row, so two instances rotating at once rotate twice rather than lose one. Every
 * instance asks every {@code refreshInterval} whether the document's version moved, and re-reads it only
 * then; while the database is unreachable it keeps signing with the keys it holds.
 */
public final class SigningKeys implements AutoCloseable {
    /** How often an instance checks for a rotation made by another one. */
    public static final Duration REFRESH_INTERVAL = Duration.ofSeconds(1);

    private static final Logger LOG = LoggerFactory.getLogger(SigningKeys.class);

    /** A rotation that did not happen (the database refused or was unreachable); the keys are unchanged. */
    public static final class RotationFailed extends RuntimeException {
        RotationFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private record Retired(ECKey key, long retireAtEpochSeconds) {}

    private record State(ECKey active, ECKey next, List<Retired> retired, long version) {}

    private final DataSource db;
    private final ScheduledExecutorService refresher;
    private volatile State state;

    private SigningKeys(DataSource db, State state, Duration refreshInterval) {
        this.db = db;
        this.state = state;
        this.refresher = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("auth-signing-keys").factory());
        long every = refreshInterval.toMillis();
        refresher.scheduleWithFixedDelay(this::refresh, every, every, TimeUnit.MILLISECONDS);
    }

    /**
     * Loads the keys from the database, or creates them there. When the database has none yet and
     * {@code adoptFile} exists (the key file of a data directory from before the keys moved to the
     * database), its keys are adopted, so tokens signed before the upgrade stay valid.
     */
    public static SigningKeys open(DataSource db, Path adoptFile, Duration refreshInterval) {
        try {
            State stored = select(db, -1);
            if (stored == null) {
                State initial = adoptFile != null && Files.exists(adoptFile)
                        ? parse(Files.readString(adoptFile, StandardCharsets.UTF_8), 0)
                        : new State(generate(), generate(), List.of(), 0);
                insertIfAbsent(db, initial);
                // another instance starting at the same moment may have inserted first: theirs wins
                stored = select(db, -1);
            }
            return new SigningKeys(db, stored, refreshInterval);
        } catch (SQLException e) {
            throw new IllegalStateException("auth: cannot load the signing keys from PostgreSQL (table auth_signing_keys): "
                    + e.getMessage(), e);
        } catch (IOException | ParseException | JOSEException e) {
            throw new IllegalStateException("auth: cannot create or adopt the signing keys (" + adoptFile + "): "
                    + e.getMessage(), e);
        }
    }

    /** The key that signs new tokens. */
    public ECKey privateKey() {
        return state.active();
    }

    /** The public keys (active, next, and retired ones not yet past their retirement) as a JWKS document. */
    public Map<String, Object> jwks() {
        State s = state;
        long now = System.currentTimeMillis() / 1000;
        List<JWK> published = new ArrayList<>();
        published.add(s.active().toPublicJWK());
        published.add(s.next().toPublicJWK());
        for (Retired r : s.retired()) if (r.retireAtEpochSeconds() > now) published.add(r.key().toPublicJWK());
        return new JWKSet(published).toJSONObject(true);
    }

    /**
     * Next becomes active, a new next is created, the old active stays published for {@code overlapSeconds}.
     * Returns the new active key id; throws {@link RotationFailed} when the database cannot take it.
     */
    public String rotate(long overlapSeconds) {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                State s;
                try (PreparedStatement select = c.prepareStatement(
                        "SELECT document, version FROM auth_signing_keys WHERE id = 1 FOR UPDATE");
                     ResultSet rs = select.executeQuery()) {
                    if (!rs.next()) throw new SQLException("no row in auth_signing_keys");
                    s = parse(rs.getString(1), rs.getLong(2));
                }
                long now = System.currentTimeMillis() / 1000;
                List<Retired> retired = new ArrayList<>();
                for (Retired r : s.retired()) if (r.retireAtEpochSeconds() > now) retired.add(r);
                retired.add(new Retired(s.active(), now + overlapSeconds));
                State rotated = new State(s.next(), generate(), List.copyOf(retired), s.version() + 1);
                try (PreparedStatement update = c.prepareStatement(
                        "UPDATE auth_signing_keys SET document = ?, version = ?, updated_at = now() WHERE id = 1")) {
                    update.setString(1, document(rotated));
                    update.setLong(2, rotated.version());
                    update.executeUpdate();
                }
                c.commit();
                state = rotated;
                return rotated.active().getKeyID();
            } catch (SQLException | IOException | ParseException | JOSEException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException | IOException | ParseException | JOSEException e) {
            throw new RotationFailed("auth: cannot rotate the signing keys: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        refresher.shutdownNow();
    }

    /** Adopts a rotation made by another instance; one cheap query when nothing changed. */
    private void refresh() {
        try {
            State newer = select(db, state.version());
            if (newer != null && newer.version() > state.version()) {
                state = newer;
                LOG.info("auth: signing keys changed by another instance; active key {}", newer.active().getKeyID());
            }
        } catch (SQLException | RuntimeException e) {
            LOG.debug("auth: signing keys not refreshed, keeping the ones held: {}", e.getMessage());
        }
    }

    /** The stored keys if their version differs from {@code unlessVersion}; null if none (or unchanged). */
    private static State select(DataSource db, long unlessVersion) throws SQLException {
        try (Connection c = db.getConnection();
             PreparedStatement s = c.prepareStatement(
                     "SELECT document, version FROM auth_signing_keys WHERE id = 1 AND version <> ?")) {
            s.setLong(1, unlessVersion);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? parse(rs.getString(1), rs.getLong(2)) : null;
            }
        } catch (IOException | ParseException e) {
            throw new SQLException("auth_signing_keys holds an unreadable document: " + e.getMessage(), e);
        }
    }

    private static void insertIfAbsent(DataSource db, State s) throws SQLException, IOException {
        try (Connection c = db.getConnection();
             PreparedStatement insert = c.prepareStatement(
                     "INSERT INTO auth_signing_keys (id, document, version) VALUES (1, ?, ?) ON CONFLICT (id) DO NOTHING")) {
            insert.setString(1, document(s));
            insert.setLong(2, s.version());
            insert.executeUpdate();
        }
    }

    private static ECKey generate() throws JOSEException {
        return new ECKeyGenerator(Curve.P_256).keyUse(KeyUse.SIGNATURE).keyIDFromThumbprint(true)
                .algorithm(JWSAlgorithm.ES256).generate();
    }

    private static State parse(String document, long version) throws IOException, ParseException {
        JsonNode root = Json.MAPPER.readTree(document);
        ECKey active = ECKey.parse(root.path("active").toString());
        ECKey next = ECKey.parse(root.path("next").toString());
        List<Retired> retired = new ArrayList<>();
        for (JsonNode r : root.path("retired")) {
            retired.add(new Retired(ECKey.parse(r.path("key").toString()), r.path("retireAt").asLong()));
        }
        return new State(active, next, List.copyOf(retired), version);
    }

    private static String document(State s) throws IOException {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.set("active", Json.MAPPER.readTree(s.active().toJSONString()));
        root.set("next", Json.MAPPER.readTree(s.next().toJSONString()));
        ArrayNode retired = root.putArray("retired");
        for (Retired r : s.retired()) {
            ObjectNode entry = retired.addObject();
            entry.set("key", Json.MAPPER.readTree(r.key().toJSONString()));
            entry.put("retireAt", r.retireAtEpochSeconds());
        }
        return Json.MAPPER.writeValueAsString(root);
    }
}
