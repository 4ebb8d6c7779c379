package io.requestflow.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.requestflow.cli.AdminPort;
import io.requestflow.cli.SpanTree;
import io.requestflow.cli.get.HeaderField;
import io.requestflow.cli.get.HttpProbe;
import io.requestflow.cli.get.JsonReport;
import io.requestflow.cli.get.ProbeException;
import io.requestflow.cli.get.ProbeRequest;
import io.requestflow.cli.get.ProbeResult;
import io.requestflow.engine.http.Json;
import io.requestflow.engine.http.Problem;
import io.requestflow.engine.http.Request;
import io.requestflow.engine.http.Response;
import io.requestflow.engine.net.HostPort;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;

/**
 * The console's JSON API: the state of every instance, one request sent through the path with its
 * waterfall, one trace's spans, and faults set and ended. Every answer comes from the instances' admin
 * ports and the edge over sockets, each call bounded by {@link ConsoleSettings}; nothing is read
 * in-process. Runs on a blocking thread (the caller's executor), never on an event loop.
 */
final class ConsoleApi {
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");
    private static final Pattern TRACE_ID = Pattern.compile("[0-9a-f]{32}");
    private static final Pattern FAULT_FIELD = Pattern.compile("latencyMs|jitterMs|errorStatus|percent|resetPercent|forSeconds");
    private static final int MAX_RESPONSE_BYTES = 1024 * 1024;

    private final PathDirectory path;
    private final HttpProbe probe;
    private final ConsoleSettings settings;
    private final HopRates rates = new HopRates();
    private final TrafficRun traffic;

    ConsoleApi(PathDirectory path, HttpProbe probe, ConsoleSettings settings) {
        this.path = path;
        this.probe = probe;
        this.settings = settings;
        this.traffic = new TrafficRun(path);
    }

    /** Ends the traffic the page started, if any. */
    void stopTraffic() {
        traffic.stop();
    }

    Response handle(Request request) {
        String p = request.path();
        String method = request.method();
        try {
            if (p.equals("/api/path") && method.equals("GET")) return pathState();
            if (p.equals("/api/targets") && method.equals("GET")) return relay(path.balancerAdmin(), "GET", "/targets");
            if (p.equals("/api/request") && method.equals("POST")) return send(request);
            if (p.startsWith("/api/traces/") && method.equals("GET")) return trace(p.substring("/api/traces/".length()));
            if (p.equals("/api/faults") && method.equals("POST")) return breakOne(request);
            if (p.equals("/api/faults") && method.equals("DELETE")) return heal(request.query("instance"));
            if (p.equals("/api/traffic")) return traffic(request);
            return Problem.notFound("console API: GET /api/path, GET /api/targets, POST /api/request,"
                    + " GET /api/traces/ID, POST /api/faults, DELETE /api/faults?instance=NAME,"
                    + " GET|POST|DELETE /api/traffic");
        } catch (IllegalArgumentException e) {
            return Problem.badRequest(e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Problem.of(503, "Service Unavailable", "the console is stopping");
        }
    }

    /** Every instance's readiness and fault, asked in parallel, plus the embedded stores' state. */
    private Response pathState() throws InterruptedException {
        List<PathDirectory.Instance> instances = path.instances();
        try (ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Map<String, Object>>> answers = new ArrayList<>();
            for (PathDirectory.Instance i : instances) answers.add(calls.submit(() -> state(i)));
            Future<JsonNode> stores = calls.submit(this::stores);
            List<Map<String, Object>> rows = new ArrayList<>();
            for (Future<Map<String, Object>> f : answers) rows.add(await(f));
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("edge", "http://" + path.edgeAuthority());
            body.put("dns", HostPort.of(path.dns()).toString());
            body.put("instances", rows);
            body.put("stores", await(stores));
            return Response.json(200, body).header("Cache-Control", "no-store");
        }
    }

    private Map<String, Object> state(PathDirectory.Instance i) throws InterruptedException {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("name", i.name());
        row.put("role", i.role());
        row.put("admin", i.admin().toString());
        row.put("breakable", i.breakable());
        try {
            HttpResponse<String> ready = AdminPort.get(i.admin(), "/readyz", timeout());
            row.put("state", ready.statusCode() == 200 ? "ready" : "not ready");
            if (ready.statusCode() != 200) {
                JsonNode problem = Json.tree(bytes(ready.body()));
                row.put("reason", problem == null ? "/readyz answered " + ready.statusCode() : problem.path("detail").asText(""));
            }
            if (i.breakable()) {
                JsonNode faults = Json.tree(bytes(AdminPort.get(i.admin(), "/faults", timeout()).body()));
                JsonNode fault = faults == null ? null : faults.get("fault");
                row.put("fault", fault == null || fault.isNull() ? null : fault);
            }
            if (!i.role().equals("dns") && !i.role().equals("queue")) {
                HttpResponse<String> metrics = AdminPort.get(i.admin(), "/metrics", timeout());
                if (metrics.statusCode() == 200) row.put("traffic", rates.update(i.name(), metrics.body(), System.nanoTime()));
            }
        } catch (IOException e) {
            row.put("state", "down");
            row.put("reason", "its admin port " + i.admin() + " does not answer");
        }
        return row;
    }

    private JsonNode stores() throws InterruptedException {
        if (path.dataAdmin() == null) return Json.MAPPER.createObjectNode();
        try {
            HttpResponse<String> answer = AdminPort.get(path.dataAdmin(), "/data", timeout());
            JsonNode state = answer.statusCode() == 200 ? Json.tree(bytes(answer.body())) : null;
            return state == null ? Json.MAPPER.createObjectNode() : state; // not `up`: no stores embedded here
        } catch (IOException e) {
            return Json.MAPPER.createObjectNode();
        }
    }

    /** One request through the path, entering at the edge by name through the project's DNS. */
    private Response send(Request request) throws InterruptedException {
        JsonNode spec = Json.tree(request.body());
        if (spec == null || !spec.isObject()) {
            throw new IllegalArgumentException("send a JSON object: {\"method\": \"GET\", \"path\": \"/api/products/42\","
                    + " \"headers\": {\"Name\": \"value\"}, \"body\": \"...\", \"from\": \"127.0.1.9\"}");
        }
        String method = spec.path("method").asText("GET").toUpperCase(java.util.Locale.ROOT);
        if (!METHODS.contains(method)) throw new IllegalArgumentException("method must be one of " + METHODS);
        String target = spec.path("path").asText("");
        if (!target.startsWith("/") || target.startsWith("//") || target.length() > 2048) {
            throw new IllegalArgumentException("path must start with a single / and be at most 2048 characters, got '"
                    + target + "'");
        }
        List<HeaderField> headers = new ArrayList<>();
        spec.path("headers").properties().forEach(e -> headers.add(new HeaderField(e.getKey(), e.getValue().asText())));
        byte[] body = spec.path("body").asText("").getBytes(StandardCharsets.UTF_8);
        if (body.length > 0 && headers.stream().noneMatch(h -> h.name().equalsIgnoreCase("content-type"))) {
            headers.add(new HeaderField("Content-Type", Json.tree(body) != null ? "application/json" : "text/plain"));
        }
        ProbeRequest probeRequest = new ProbeRequest(method, URI.create("http://" + path.edgeAuthority() + target),
                headers, body, path.dns(), settings.requestTimeoutMs(), MAX_RESPONSE_BYTES, source(spec.path("from")));
        try {
            ProbeResult result = probe.call(probeRequest);
            ObjectNode report = JsonReport.of(result);
            String id = result.header("x-request-id");
            report.put("traceId", id != null && TRACE_ID.matcher(id).matches() ? id : null);
            return Response.json(200, report);
        } catch (ProbeException e) {
            return Problem.of(502, "No Response", e.getMessage(),
                    Map.of("phase", e.phase().name().toLowerCase(java.util.Locale.ROOT), "timedOut", e.timedOut()));
        }
    }

    /**
     * The optional {@code from}: a loopback IPv4 address the request leaves from (127.0.1.9 is a client in
     * eu-west under the default {@code dns.regions}), or such a region's name, so GeoDNS and the WAN link
     * treat it as that client.
     */
    private static java.net.InetAddress source(JsonNode from) {
        if (from.isMissingNode() || from.isNull() || from.asText().isBlank()) return null;
        String text = from.asText().strip();
        return io.requestflow.cli.get.DnsLookup.loopback(text)
                .or(() -> io.requestflow.cli.get.DnsLookup.defaultRegionClient(text))
                .orElseThrow(() -> new IllegalArgumentException("from must be a loopback address such as 127.0.1.9"
                        + " (a client in eu-west) or a region: " + io.requestflow.cli.get.DnsLookup.defaultRegionNames()
                        + "; got '" + text + "'"));
    }

    /** {@code GET}: the run and the last seconds; {@code POST {"rate": 50, "seconds": 60}} starts; {@code DELETE} stops. */
    private Response traffic(Request request) {
        switch (request.method()) {
            case "GET" -> {
                return Response.json(200, traffic.status()).header("Cache-Control", "no-store");
            }
            case "POST" -> {
                JsonNode spec = Json.tree(request.body());
                if (spec == null || !spec.isObject()) {
                    throw new IllegalArgumentException("send a JSON object: {\"rate\": 50, \"seconds\": 60}");
                }
                if (!traffic.start(spec.path("rate").asDouble(50), spec.path("seconds").asInt(60))) {
                    return Problem.of(409, "Conflict", "traffic is running already: DELETE /api/traffic stops it");
                }
                return Response.json(202, traffic.status());
            }
            case "DELETE" -> {
                traffic.stop();
                return Response.json(200, traffic.status());
            }
            default -> {
                return Problem.of(405, "Method Not Allowed", "GET, POST or DELETE /api/traffic");
            }
        }
    }

    /** Every span of one trace, from every admin port that holds spans. */
    private Response trace(String id) throws InterruptedException {
        if (!TRACE_ID.matcher(id).matches()) throw new IllegalArgumentException("a trace id is 32 lowercase hex digits");
        List<JsonNode> answers = new ArrayList<>();
        try (ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<JsonNode>> futures = new ArrayList<>();
            for (HostPort admin : spanSources()) {
                futures.add(calls.submit(() -> {
                    try {
                        HttpResponse<String> r = AdminPort.get(admin, "/spans?trace=" + id + "&limit=2000", timeout());
                        return r.statusCode() == 200 ? Json.tree(bytes(r.body())) : null;
                    } catch (IOException notRunning) {
                        return null;
                    }
                }));
            }
            for (Future<JsonNode> f : futures) {
                JsonNode answer = await(f);
                if (answer != null) answers.add(answer);
            }
        }
        List<SpanTree.Span> spans = SpanTree.merge(answers);
        return Response.json(200, Map.of("traceId", id, "spans", spans)).header("Cache-Control", "no-store");
    }

    /** Each process keeps its own spans; `up` runs one process, so its admin ports answer alike. */
    private List<HostPort> spanSources() {
        List<HostPort> all = new ArrayList<>();
        for (PathDirectory.Instance i : path.instances()) if (!all.contains(i.admin())) all.add(i.admin());
        return all;
    }

    /** {"instance": "gateway-2", "latencyMs": 300, "errorStatus": 503, "percent": 50, "unready": true, "forSeconds": 60} */
    private Response breakOne(Request request) throws InterruptedException {
        JsonNode spec = Json.tree(request.body());
        if (spec == null || !spec.isObject()) {
            throw new IllegalArgumentException("send a JSON object naming the instance and the fault: {\"instance\":"
                    + " \"gateway-2\", \"errorStatus\": 503, \"forSeconds\": 60}");
        }
        String name = spec.path("instance").asText("");
        if (isStore(name)) {
            long seconds = spec.path("forSeconds").asLong(300);
            return relay(dataAdmin(), "POST", "/data?store=" + name + "&action=break&forSeconds=" + seconds);
        }
        StringBuilder query = new StringBuilder("/faults?");
        spec.properties().forEach(e -> {
            if (FAULT_FIELD.matcher(e.getKey()).matches()) {
                if (!e.getValue().canConvertToLong()) {
                    throw new IllegalArgumentException(e.getKey() + " must be a whole number");
                }
                query.append(e.getKey()).append('=').append(e.getValue().asLong()).append('&');
            }
        });
        if (spec.path("unready").asBoolean(false)) query.append("unready=true&");
        if (query.length() == "/faults?".length()) {
            throw new IllegalArgumentException("say what to break: latencyMs, jitterMs, errorStatus (with percent),"
                    + " resetPercent or unready");
        }
        return relay(instance(name), "POST", query.substring(0, query.length() - 1));
    }

    private Response heal(String name) throws InterruptedException {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("name the instance: DELETE /api/faults?instance=NAME");
        if (isStore(name)) return relay(dataAdmin(), "POST", "/data?store=" + name + "&action=heal");
        return relay(instance(name), "DELETE", "/faults");
    }

    private HostPort instance(String name) {
        for (PathDirectory.Instance i : path.instances()) {
            if (i.name().equals(name) && i.breakable()) return i.admin();
        }
        List<String> known = new ArrayList<>();
        for (PathDirectory.Instance i : path.instances()) if (i.breakable()) known.add(i.name());
        throw new IllegalArgumentException("no instance named '" + name + "' can be broken; known: "
                + String.join(", ", known) + (path.dataAdmin() == null ? "" : ", and the stores "
                + String.join(", ", io.requestflow.topology.DataFaults.STORES)));
    }

    private HostPort dataAdmin() {
        if (path.dataAdmin() == null) throw new IllegalArgumentException("no embedded data stores in this process");
        return path.dataAdmin();
    }

    private static boolean isStore(String name) {
        return io.requestflow.topology.DataFaults.STORES.contains(name);
    }

    /** An admin port's answer passed on as it came (problems included); a readable 502 when it does not answer. */
    private Response relay(HostPort admin, String method, String pathAndQuery) throws InterruptedException {
        try {
            HttpResponse<String> r = AdminPort.request(admin, method, pathAndQuery, timeout());
            String type = r.headers().firstValue("content-type").orElse("application/json");
            return Response.of(r.statusCode(), type, bytes(r.body())).header("Cache-Control", "no-store");
        } catch (IOException e) {
            return Problem.of(502, "Admin Port Unreachable", admin + " does not answer: " + e.getMessage());
        }
    }

    private static <T> T await(Future<T> call) throws InterruptedException {
        try {
            return call.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("a call to an admin port failed", e.getCause());
        }
    }

    private Duration timeout() {
        return Duration.ofMillis(settings.adminTimeoutMs());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
