package io.requestflow.gateway;

import com.nimbusds.jwt.JWTClaimsSet;
import io.netty.util.AsciiString;

import java.text.ParseException;
import java.util.Arrays;
import java.util.Date;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a verified access token says, read out of its claims once when its signature is checked, so that
 * a request bearing a token already verified does no claim parsing, scope splitting or header formatting.
 * The identity header values are kept as {@link AsciiString}s, which Netty writes to the wire as one copy
 * rather than character by character.
 *
 * @param jti             {@code jti}, or null
 * @param scopes          {@code scope}, split on whitespace
 * @param expiresAtMillis {@code exp}
 * @param notBeforeMillis {@code nbf}, or {@link Long#MIN_VALUE} when absent
 * @param caller          who the caller is for per-user throttling ({@code user:SUB})
 * @param userId          {@code sub}, for {@link IdentityHeaders#USER_ID}
 * @param userName        the {@code name} claim for {@link IdentityHeaders#USER_NAME}, or null
 * @param scopesHeader    the scopes, space-separated, for {@link IdentityHeaders#SCOPES}
 * @param tokenId         {@code jti} for {@link IdentityHeaders#TOKEN_ID}, or null
 * @param expiresHeader   {@code exp} in seconds, for {@link IdentityHeaders#TOKEN_EXPIRES}
 */
public record VerifiedToken(String jti, Set<String> scopes, long expiresAtMillis, long notBeforeMillis, String caller,
                            AsciiString userId, AsciiString userName, AsciiString scopesHeader, AsciiString tokenId,
                            AsciiString expiresHeader) {
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    /** Reads a token's claims; a claim of the wrong type (a non-string {@code scope}, say) is a ParseException. */
    public static VerifiedToken of(JWTClaimsSet claims) throws ParseException {
        String scope = claims.getStringClaim("scope");
        String[] scopes = scope == null || scope.isBlank() ? new String[0] : WHITESPACE.split(scope.trim());
        String name = claims.getStringClaim("name");
        String jti = claims.getJWTID();
        Date exp = claims.getExpirationTime();
        if (exp == null) throw new ParseException("no exp", 0); // the verifier refuses these before
        Date nbf = claims.getNotBeforeTime();
        return new VerifiedToken(jti, Set.copyOf(Arrays.asList(scopes)), exp.getTime(),
                nbf == null ? Long.MIN_VALUE : nbf.getTime(), "user:" + claims.getSubject(),
                new AsciiString(claims.getSubject()), name == null ? null : new AsciiString(name),
                new AsciiString(String.join(" ", scopes)), jti == null ? null : new AsciiString(jti),
                new AsciiString(Long.toString(exp.getTime() / 1000)));
    }
}
