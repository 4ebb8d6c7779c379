package io.requestflow.services.auth;

import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Password hashes. New hashes are Argon2id (BouncyCastle) in the PHC string format
 * {@code $argon2id$v=19$m=KIB,t=PASSES,p=LANES$SALT$HASH}; hashes from before (PBKDF2-HMAC-SHA512,
 * {@code pbkdf2-sha512$ITERATIONS$SALT$HASH}) still verify, and {@link #needsRehash} tells the caller
 * to replace them (and Argon2id hashes with weaker parameters) after a successful login.
 * Comparison is constant-time.
 */
public final class PasswordHasher {
    private static final String PBKDF2_PREFIX = "pbkdf2-sha512";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getDecoder();

    /** Argon2id cost: memory in KiB, passes, lanes (OWASP minimum: 19 MiB, 2 passes, 1 lane). */
    public record Cost(int memoryKib, int iterations, int parallelism) {
        public Cost {
            if (memoryKib < 8 * parallelism || iterations < 1 || parallelism < 1) {
                throw new IllegalArgumentException("argon2: memory must be >= 8 KiB per lane and passes/lanes >= 1");
            }
        }
    }

    private final Cost cost;

    public PasswordHasher(Cost cost) {
        this.cost = cost;
    }

    public String hash(String password) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        byte[] hash = argon2(password, salt, cost, 32);
        return "$argon2id$v=19$m=" + cost.memoryKib() + ",t=" + cost.iterations() + ",p=" + cost.parallelism()
                + "$" + B64.encodeToString(salt) + "$" + B64.encodeToString(hash);
    }

    public boolean verify(String password, String stored) {
        if (stored == null) return false;
        try {
            if (stored.startsWith("$argon2id$")) {
                String[] parts = stored.split("\\$");
                if (parts.length != 6 || !parts[2].equals("v=19")) return false;
                Cost c = parseCost(parts[3]);
                byte[] salt = B64D.decode(parts[4]);
                byte[] expected = B64D.decode(parts[5]);
                return MessageDigest.isEqual(expected, argon2(password, salt, c, expected.length));
            }
            String[] parts = stored.split("\\$");
            if (parts.length != 4 || !parts[0].equals(PBKDF2_PREFIX)) return false;
            int n = Integer.parseInt(parts[1]);
            byte[] salt = B64D.decode(parts[2]);
            byte[] expected = B64D.decode(parts[3]);
            return MessageDigest.isEqual(expected, pbkdf2(password, salt, n));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** True when the stored hash is not Argon2id with at least the configured cost. */
    public boolean needsRehash(String stored) {
        if (stored == null || !stored.startsWith("$argon2id$")) return true;
        String[] parts = stored.split("\\$");
        if (parts.length != 6) return true;
        try {
            Cost c = parseCost(parts[3]);
            return c.memoryKib() < cost.memoryKib() || c.iterations() < cost.iterations();
        } catch (IllegalArgumentException e) {
            return true;
        }
    }

    private static Cost parseCost(String params) {
        int m = -1, t = -1, p = -1;
        for (String kv : params.split(",")) {
            String[] pair = kv.split("=", 2);
            if (pair.length != 2) throw new IllegalArgumentException("bad argon2 parameters");
            int v = Integer.parseInt(pair[1]);
            switch (pair[0]) {
                case "m" -> m = v;
                case "t" -> t = v;
                case "p" -> p = v;
                default -> throw new IllegalArgumentException("bad argon2 parameter " + pair[0]);
            }
        }
        // refuse absurd stored costs rather than let a tampered row exhaust memory
        if (m > 1 << 20 || t > 100 || p > 16) throw new IllegalArgumentException("argon2 parameters out of range");
        return new Cost(m, t, p);
    }

    private static byte[] argon2(String password, byte[] salt, Cost cost, int length) {
        if (length < 16 || length > 64) throw new IllegalArgumentException("argon2 hash length out of range");
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(cost.memoryKib())
                .withIterations(cost.iterations())
                .withParallelism(cost.parallelism())
                .withSalt(salt)
                .build());
        byte[] out = new byte[length];
        generator.generateBytes(password.getBytes(StandardCharsets.UTF_8), out);
        return out;
    }

    private static byte[] pbkdf2(String password, byte[] salt, int iterations) {
        if (iterations < 1 || iterations > 10_000_000) throw new IllegalArgumentException("pbkdf2 iterations out of range");
        PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, 256);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA512").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2 is not available in this JDK", e);
        } finally {
            spec.clearPassword();
        }
    }
}
