package io.requestflow.gateway;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.requestflow.engine.http.Problem;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.pipeline.Chain;
import io.requestflow.engine.pipeline.Exchange;
import io.requestflow.engine.pipeline.Stage;

import java.text.ParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * On routes that need a token: verifies the Bearer JWT against the auth service's keys, checks its
 * {@code jti} against the deny list, and passes the verified identity on in {@link IdentityHeaders}.
 * 401 for a missing, bad or revoked token, 403 for a missing scope, 503 when the keys cannot be fetched
 * (or the deny list cannot be read and the gateway is fail-closed). Requests refused here never reach a service.
 */
public final class JwtAuthStage implements Stage {
    /** The verified subject, for per-user throttling. */
    public static final String SUBJECT = "gateway.subject";
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private final JwksCache keys;
    private final TokenVerifier verifier;
    private final RevocationList revocations;
    private final boolean failClosed;
    private final VerifiedTokens verified;

    /** {@code revocations} may be null: no deny list (no Redis configured). */
    public JwtAuthStage(JwksCache keys, TokenVerifier verifier, RevocationList revocations, boolean failClosed,
                        VerifiedTokens verified) {
        this.keys = keys;
        this.verifier = verifier;
        this.revocations = revocations;
        this.failClosed = failClosed;
        this.verified = verified;
    }

    @Override
    public CompletableFuture<Response> handle(Exchange exchange, Chain next) {
        GatewayConfig.Route route = exchange.attribute(RouteStage.ROUTE);
        if (route == null || !route.requiresJwt()) return next.proceed(exchange);
        String authorization = exchange.request().header("authorization");
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return deny(exchange, Problem.unauthorized("a Bearer token is required for " + route.prefix()
                    + "; get one from POST /api/login"));
        }
        String token = authorization.substring(7).trim();
        JWTClaimsSet known = verified.get(token);
        if (known != null) {
            try {
                verifier.checkTime(known);
                return permit(exchange, next, route, known);
            } catch (TokenVerifier.Rejected e) {
                return deny(exchange, Problem.unauthorized(e.getMessage()));
            } catch (ParseException e) {
                return deny(exchange, Problem.unauthorized("token claims are malformed"));
            }
        }
        SignedJWT jwt;
        try {
            jwt = verifier.parse(token);
        } catch (TokenVerifier.Rejected e) {
            return deny(exchange, Problem.unauthorized(e.getMessage()));
        }
        return keys.key(jwt.getHeader().getKeyID())
                .handle((key, error) -> {
                    if (error != null) {
                        exchange.describe("JWKS_UNAVAILABLE");
                        return Stage.answer(unavailable(exchange, "cannot fetch signing keys from the auth service right now"));
                    }
                    try {
                        JWTClaimsSet claims = verifier.verify(jwt, key);
                        verified.put(token, claims);
                        return permit(exchange, next, route, claims);
                    } catch (TokenVerifier.Rejected e) {
                        return deny(exchange, Problem.unauthorized(e.getMessage()));
                    } catch (ParseException e) {
                        return deny(exchange, Problem.unauthorized("token claims are malformed"));
                    }
                })
                .thenCompose(f -> f);
    }

    /** A verified token: scopes, then the deny list, then on to the service. */
    private CompletableFuture<Response> permit(Exchange exchange, Chain next, GatewayConfig.Route route,
                                               JWTClaimsSet claims) throws ParseException {
        List<String> scopes = scopes(claims);
        if (!scopes.containsAll(route.requiredScopes())) {
            exchange.describe("FORBIDDEN");
            return Stage.answer(Problem.forbidden("this route needs scopes " + route.requiredScopes()));
        }
        return checkRevoked(exchange, next, claims, scopes);
    }

    private CompletableFuture<Response> checkRevoked(Exchange exchange, Chain next, JWTClaimsSet claims,
                                                     List<String> scopes) throws ParseException {
        if (revocations == null) return pass(exchange, next, claims, scopes);
        long start = System.nanoTime();
        return revocations.status(claims.getJWTID()).thenCompose(status -> {
            exchange.recordCall("redis", System.nanoTime() - start, "denylist-" + status.name().toLowerCase(java.util.Locale.ROOT));
            if (status == RevocationList.Status.REVOKED) {
                return deny(exchange, Problem.unauthorized("token has been revoked"));
            }
            if (status == RevocationList.Status.UNKNOWN && failClosed) {
                exchange.describe("DENYLIST_UNAVAILABLE");
                return Stage.answer(unavailable(exchange, "cannot check token revocation right now"));
            }
            try {
                return pass(exchange, next, claims, scopes);
            } catch (ParseException e) {
                return deny(exchange, Problem.unauthorized("token claims are malformed"));
            }
        });
    }

    private static CompletableFuture<Response> pass(Exchange exchange, Chain next, JWTClaimsSet claims,
                                                    List<String> scopes) throws ParseException {
        var headers = exchange.request().headers();
        headers.set(IdentityHeaders.USER_ID, claims.getSubject());
        String name = claims.getStringClaim("name");
        if (name != null) headers.set(IdentityHeaders.USER_NAME, name);
        headers.set(IdentityHeaders.SCOPES, String.join(" ", scopes));
        if (claims.getJWTID() != null) headers.set(IdentityHeaders.TOKEN_ID, claims.getJWTID());
        headers.set(IdentityHeaders.TOKEN_EXPIRES, Long.toString(claims.getExpirationTime().getTime() / 1000));
        exchange.attribute(SUBJECT, "user:" + claims.getSubject());
        return next.proceed(exchange);
    }

    private static Response unavailable(Exchange exchange, String detail) {
        return Problem.of(503, "Service Unavailable", "gateway: " + detail, Map.of("requestId", exchange.requestId()));
    }

    private static CompletableFuture<Response> deny(Exchange exchange, Response problem) {
        exchange.describe("UNAUTHORIZED");
        return Stage.answer(problem);
    }

    private static List<String> scopes(JWTClaimsSet claims) throws ParseException {
        String scope = claims.getStringClaim("scope");
        return scope == null || scope.isBlank() ? List.of() : Arrays.asList(WHITESPACE.split(scope.trim()));
    }
}
