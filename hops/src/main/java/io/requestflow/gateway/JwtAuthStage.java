package io.requestflow.gateway;

import com.nimbusds.jwt.SignedJWT;
import io.netty.util.AsciiString;
import io.requestflow.engine.http.Problem;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.pipeline.Chain;
import io.requestflow.engine.pipeline.Exchange;
import io.requestflow.engine.pipeline.Stage;

import java.text.ParseException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * On routes that need a token: verifies the Bearer JWT against the auth service's keys, checks its
 * {@code jti} against the deny list, and passes the verified identity on in {@link IdentityHeaders}.
 * 401 for a missing, bad or revoked token, 403 for a missing scope, 503 when the keys cannot be fetched
 * (or the deny list cannot be read and the gateway is fail-closed). Requests refused here never reach a service.
 * A token seen before ({@link VerifiedTokens}) whose deny-list answer is at hand ({@link RevocationList#knownActive})
 * goes through without a future or any claim parsing: that is almost every request.
 */
public final class JwtAuthStage implements Stage {
    /** The verified subject, for per-user throttling. */
    public static final String SUBJECT = "gateway.subject";
    // header names with their hash computed once (Netty hashes a String name on every set)
    private static final AsciiString AUTHORIZATION = AsciiString.cached("authorization");
    private static final AsciiString USER_ID = AsciiString.cached(IdentityHeaders.USER_ID);
    private static final AsciiString USER_NAME = AsciiString.cached(IdentityHeaders.USER_NAME);
    private static final AsciiString SCOPES = AsciiString.cached(IdentityHeaders.SCOPES);
    private static final AsciiString TOKEN_ID = AsciiString.cached(IdentityHeaders.TOKEN_ID);
    private static final AsciiString TOKEN_EXPIRES = AsciiString.cached(IdentityHeaders.TOKEN_EXPIRES);

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
        String authorization = exchange.request().header(AUTHORIZATION);
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return deny(exchange, Problem.unauthorized("a Bearer token is required for " + route.prefix()
                    + "; get one from POST /api/login"));
        }
        VerifiedToken known = verified.get(authorization);
        if (known != null) return permit(exchange, next, route, known);
        String token = authorization.substring(7).trim();
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
                    VerifiedToken fresh;
                    try {
                        fresh = VerifiedToken.of(verifier.verify(jwt, key));
                    } catch (TokenVerifier.Rejected e) {
                        return deny(exchange, Problem.unauthorized(e.getMessage()));
                    } catch (ParseException e) {
                        return deny(exchange, Problem.unauthorized("token claims are malformed"));
                    }
                    verified.put(authorization, token, fresh);
                    return permit(exchange, next, route, fresh);
                })
                .thenCompose(f -> f);
    }

    /** A verified token: time (on every use), scopes, then the deny list, then on to the service. */
    private CompletableFuture<Response> permit(Exchange exchange, Chain next, GatewayConfig.Route route,
                                               VerifiedToken token) {
        try {
            verifier.checkTime(token);
        } catch (TokenVerifier.Rejected e) {
            return deny(exchange, Problem.unauthorized(e.getMessage()));
        }
        if (!token.scopes().containsAll(route.requiredScopes())) {
            exchange.describe("FORBIDDEN");
            return Stage.answer(Problem.forbidden("this route needs scopes " + route.requiredScopes()));
        }
        if (revocations == null || revocations.knownActive(token.jti())) return pass(exchange, next, token);
        return checkRevoked(exchange, next, token);
    }

    /** Asks the deny list (or waits for a lookup of this {@code jti} already under way); shown in Server-Timing. */
    private CompletableFuture<Response> checkRevoked(Exchange exchange, Chain next, VerifiedToken token) {
        long start = System.nanoTime();
        return revocations.status(token.jti()).thenCompose(status -> {
            exchange.recordCall("redis", System.nanoTime() - start, switch (status) {
                case ACTIVE -> "denylist-active";
                case REVOKED -> "denylist-revoked";
                case UNKNOWN -> "denylist-unknown";
            });
            if (status == RevocationList.Status.REVOKED) {
                return deny(exchange, Problem.unauthorized("token has been revoked"));
            }
            if (status == RevocationList.Status.UNKNOWN && failClosed) {
                exchange.describe("DENYLIST_UNAVAILABLE");
                return Stage.answer(unavailable(exchange, "cannot check token revocation right now"));
            }
            return pass(exchange, next, token);
        });
    }

    private static CompletableFuture<Response> pass(Exchange exchange, Chain next, VerifiedToken token) {
        var headers = exchange.request().headers();
        headers.set(USER_ID, token.userId());
        if (token.userName() != null) headers.set(USER_NAME, token.userName());
        headers.set(SCOPES, token.scopesHeader());
        if (token.tokenId() != null) headers.set(TOKEN_ID, token.tokenId());
        headers.set(TOKEN_EXPIRES, token.expiresHeader());
        exchange.attribute(SUBJECT, token.caller());
        return next.proceed(exchange);
    }

    private static Response unavailable(Exchange exchange, String detail) {
        return Problem.of(503, "Service Unavailable", "gateway: " + detail, Map.of("requestId", exchange.requestId()));
    }

    private static CompletableFuture<Response> deny(Exchange exchange, Response problem) {
        exchange.describe("UNAUTHORIZED");
        return Stage.answer(problem);
    }
}
