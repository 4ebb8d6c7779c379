package io.requestflow.engine.service;

import io.requestflow.engine.http.HttpError;
import io.requestflow.engine.http.Problem;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.pipeline.Chain;
import io.requestflow.engine.pipeline.Exchange;
import io.requestflow.engine.pipeline.Stage;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The last stage of a service: matches method and path template ({@code /api/products/{id}}) and runs
 * the handler on a virtual thread, so service code may block on Redis and JDBC.
 */
public final class Router implements Stage {

    @FunctionalInterface
    public interface Handler {
        Response handle(Exchange exchange, Map<String, String> params) throws Exception;
    }

    private record Route(String method, String[] segments, Handler handler) {}

    private final List<Route> routes;
    private final Executor executor;

    private Router(List<Route> routes, Executor executor) {
        this.routes = List.copyOf(routes);
        this.executor = executor;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public CompletableFuture<Response> handle(Exchange exchange, Chain next) {
        String path = exchange.request().path();
        String method = exchange.request().method();
        String[] parts = split(path);
        Set<String> allowed = new LinkedHashSet<>();
        for (Route route : routes) {
            Map<String, String> params = match(route.segments(), parts);
            if (params == null) continue;
            if (route.method().equals(method) || (method.equals("HEAD") && route.method().equals("GET"))) {
                return CompletableFuture.supplyAsync(() -> run(route.handler(), exchange, params), executor);
            }
            allowed.add(route.method());
        }
        if (!allowed.isEmpty()) {
            Response r = Problem.of(405, "Method Not Allowed", method + " is not supported on " + path);
            r.headers().set("allow", String.join(", ", allowed));
            return Stage.answer(r);
        }
        return Stage.answer(Problem.notFound("no route for " + method + " " + path));
    }

    private static Response run(Handler handler, Exchange exchange, Map<String, String> params) {
        try {
            return handler.handle(exchange, params);
        } catch (HttpError e) {
            return e.toResponse();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> match(String[] template, String[] parts) {
        if (template.length != parts.length) return null;
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < template.length; i++) {
            String t = template[i];
            if (t.startsWith("{") && t.endsWith("}")) {
                if (parts[i].isEmpty()) return null;
                params.put(t.substring(1, t.length() - 1), parts[i]);
            } else if (!t.equals(parts[i])) {
                return null;
            }
        }
        return params;
    }

    private static String[] split(String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        if (p.endsWith("/")) p = p.substring(0, p.length() - 1);
        return p.isEmpty() ? new String[0] : p.split("/", -1);
    }

    public static final class Builder {
        private final List<Route> routes = new ArrayList<>();

        public Builder get(String template, Handler handler) {
            return add("GET", template, handler);
        }

        public Builder post(String template, Handler handler) {
            return add("POST", template, handler);
        }

        public Builder add(String method, String template, Handler handler) {
            routes.add(new Route(method, split(template), handler));
            return this;
        }

        public Router build(Executor executor) {
            return new Router(routes, executor);
        }
    }
}
