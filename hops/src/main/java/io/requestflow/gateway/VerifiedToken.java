package io.requestflow.gateway;

import com.nimbusds.jwt.JWTClaimsSet;

import java.text.ParseException;
import java.util.Arrays;
import java.util.Date;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a verified access token says, read out of its claims once when its signature is checked, so that
 * a request bearing a token already verified does no claim parsing, scope splitting or header formatting.
 *
 * @param subject        {@code sub}
 * @param userName       the {@code name} claim, or null
 * @param scopes         {@code scope}, split on whitespace
 * @param scopesHeader   the scopes as passed on in {@link IdentityHeaders#SCOPES} (space-separated)
 * @param jti            {@code jti}, or null
 * @param expiresAtMillis {@code exp}
 * @param notBeforeMillis {@code nbf}, or {@link Long#MIN_VALUE} when absent
 * @param expiresHeader  {@code exp} in seconds, as passed on in {@link IdentityHeaders#TOKEN_EXPIRES}
 * @param caller         who the caller is for per-user throttling ({@code user:SUB})
 */
public record VerifiedToken(String subject, String userName, Set<String> scopes, String scopesHeader, String jti,
                            long expiresAtMillis, long notBeforeMillis, String expiresHeader, String caller) {
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    /** Reads a token's claims; a claim of the wrong type (a non-string {@code scope}, say) is a ParseException. */
    public static VerifiedToken of(JWTClaimsSet claims) throws ParseException {
        String scope = claims.getStringClaim("scope");
        String[] scopes = scope == null || scope.isBlank() ? new String[0] : WHITESPACE.split(scope.trim());
        Date exp = claims.getExpirationTime();
        if (exp == null) throw new ParseException("no exp", 0); // the verifier refuses these before
        Date nbf = claims.getNotBeforeTime();
        return new VerifiedToken(claims.getSubject(), claims.getStringClaim("name"), Set.copyOf(Arrays.asList(scopes)),
                String.join(" ", scopes), claims.getJWTID(), exp.getTime(),
                nbf == null ? Long.MIN_VALUE : nbf.getTime(), Long.toString(exp.getTime() / 1000),
                "user:" + claims.getSubject());
    }
}
