package io.requestflow.gateway;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import java.text.ParseException;
import java.util.Date;
import java.util.List;
import java.util.Set;

/**
 * Checks one access token: ES256 only (an exact allow-list, so {@code none} and HS256 confusion fail),
 * a valid signature by a published key, {@code exp}/{@code nbf} within the clock skew, and the
 * expected {@code iss} and {@code aud}.
 */
public final class TokenVerifier {
    private static final Set<JWSAlgorithm> ALLOWED = Set.of(JWSAlgorithm.ES256);

    /** Why a token was refused; the message is safe to show the client. */
    public static final class Rejected extends Exception {
        public Rejected(String reason) {
            super(reason, null, false, false);
        }
    }

    private final GatewayConfig.Jwt config;
    private final long skewMillis;

    public TokenVerifier(GatewayConfig.Jwt config) {
        this.config = config;
        this.skewMillis = config.clockSkewSeconds() * 1000;
    }

    public SignedJWT parse(String token) throws Rejected {
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            if (!ALLOWED.contains(jwt.getHeader().getAlgorithm())) {
                throw new Rejected("token algorithm " + jwt.getHeader().getAlgorithm() + " is not accepted");
            }
            if (jwt.getHeader().getKeyID() == null) throw new Rejected("token has no key id (kid)");
            return jwt;
        } catch (ParseException e) {
            throw new Rejected("token is not a signed JWT");
        }
    }

    /** {@code exp} (required) and {@code nbf} against now, with the clock skew. */
    public void checkTime(JWTClaimsSet claims) throws Rejected {
        Date exp = claims.getExpirationTime();
        if (exp == null) throw new Rejected("token has no expiry");
        Date nbf = claims.getNotBeforeTime();
        checkTime(exp.getTime(), nbf == null ? Long.MIN_VALUE : nbf.getTime());
    }

    /** The same for a token already verified; checked on every use. */
    public void checkTime(VerifiedToken token) throws Rejected {
        checkTime(token.expiresAtMillis(), token.notBeforeMillis());
    }

    private void checkTime(long expMillis, long nbfMillis) throws Rejected {
        long now = System.currentTimeMillis();
        if (expMillis + skewMillis < now) throw new Rejected("token has expired");
        if (nbfMillis != Long.MIN_VALUE && nbfMillis - skewMillis > now) throw new Rejected("token is not valid yet");
    }

    public JWTClaimsSet verify(SignedJWT jwt, JWK key) throws Rejected {
        if (!(key instanceof ECKey ecKey)) throw new Rejected("token was signed with an unknown key");
        try {
            if (!jwt.verify(new ECDSAVerifier(ecKey.toECPublicKey()))) throw new Rejected("token signature is invalid");
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            checkTime(claims);
            if (!config.issuer().equals(claims.getIssuer())) throw new Rejected("token issuer is not trusted");
            List<String> aud = claims.getAudience();
            if (aud == null || !aud.contains(config.audience())) throw new Rejected("token is not meant for this API");
            if (claims.getSubject() == null) throw new Rejected("token has no subject");
            return claims;
        } catch (JOSEException | ParseException e) {
            throw new Rejected("token could not be verified");
        }
    }
}
