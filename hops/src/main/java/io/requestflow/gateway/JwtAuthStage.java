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

/**
 * On routes that need a token: verifies the Bearer JWT against the auth service's keys and passes the
 * verified identity on in {@link IdentityHeaders}. 401 for a missing or bad token, 403 for a missing
 * scope, 503 when the keys cannot be fetched. Requests refused here never reach a service.
 */
public final class JwtAuthStage implements Stage {
    private final JwksCache keys;
    private final TokenVerifier verifier;

    public JwtAuthStage(JwksCache keys, TokenVerifier verifier) {
        this.keys = keys;
        this.verifier = verifier;
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
        SignedJWT jwt;
        try {
            jwt = verifier.parse(authorization.substring(7).trim());
        } catch (TokenVerifier.Rejected e) {
            return deny(exchange, Problem.unauthorized(e.getMessage()));
        }
        return keys.key(jwt.getHeader().getKeyID())
                .handle((key, error) -> {
                    if (error != null) {
                        exchange.describe("JWKS_UNAVAILABLE");
                        return Stage.answer(Problem.of(503, "Service Unavailable",
                                "gateway: cannot fetch signing keys from the auth service right now",
                                Map.of("requestId", exchange.requestId())));
                    }
                    try {
                        JWTClaimsSet claims = verifier.verify(jwt, key);
                        List<String> scopes = scopes(claims);
                        if (!scopes.containsAll(route.requiredScopes())) {
                            exchange.describe("FORBIDDEN");
                            return Stage.answer(Problem.forbidden("this route needs scopes " + route.requiredScopes()));
                        }
                        var headers = exchange.request().headers();
                        headers.set(IdentityHeaders.USER_ID, claims.getSubject());
                        String name = claims.getStringClaim("name");
                        if (name != null) headers.set(IdentityHeaders.USER_NAME, name);
                        headers.set(IdentityHeaders.SCOPES, String.join(" ", scopes));
                        return next.proceed(exchange);
                    } catch (TokenVerifier.Rejected e) {
                        return deny(exchange, Problem.unauthorized(e.getMessage()));
                    } catch (ParseException e) {
                        return deny(exchange, Problem.unauthorized("token claims are malformed"));
                    }
                })
                .thenCompose(f -> f);
    }

    private static CompletableFuture<Response> deny(Exchange exchange, Response problem) {
        exchange.describe("UNAUTHORIZED");
        return Stage.answer(problem);
    }

    private static List<String> scopes(JWTClaimsSet claims) throws ParseException {
        String scope = claims.getStringClaim("scope");
        return scope == null || scope.isBlank() ? List.of() : Arrays.asList(scope.trim().split("\\s+"));
    }
}
