package io.requestflow.firewall;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The OWASP CRS regression corpus as data: every stage of every REQUEST-9xx test file, turned into the
 * raw bytes go-ftw would send, with what the stage expects.
 */
final class CrsCorpus {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    enum Expect { FIRE, NO_FIRE, STATUS }

    /** @param family the rule file's number (920, 942, ...) */
    record Stage(String family, String id, byte[] request, Expect expect, List<Integer> statuses) {
        boolean passes(int status) {
            return switch (expect) {
                case FIRE -> status == 403;
                case NO_FIRE -> status == 200 || status == 404 || status == 405;
                case STATUS -> statuses.contains(status);
            };
        }
    }

    /** The corpus directory: -Dcrs.tests.dir, or shared/crs-tests above the working directory; null if absent. */
    static Path locate() {
        String prop = System.getProperty("crs.tests.dir");
        if (prop != null) return Path.of(prop);
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared").resolve("crs-tests");
            if (Files.isDirectory(candidate)) return candidate;
        }
        return null;
    }

    /** Each stage's request, parsed, added to {@code into}; nothing when the corpus is not on this machine. */
    static <T extends java.util.Collection<io.requestflow.engine.http.Request>> T addRequests(T into) throws IOException {
        Path dir = locate();
        if (dir == null) return into;
        for (Stage s : load(dir)) {
            io.requestflow.engine.http.Request r = PrefilterEquivalenceTest.parse(s.request());
            if (r != null) into.add(r);
        }
        return into;
    }

    static List<Stage> load(Path dir) throws IOException {
        List<Stage> stages = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(p -> p.getFileName().toString().endsWith(".yaml"))
                    .filter(p -> p.getParent().getFileName().toString().startsWith("REQUEST-9"))
                    .sorted().toList();
        }
        for (Path file : files) {
            String family = file.getParent().getFileName().toString().substring(8, 11);
            JsonNode root = YAML.readTree(file.toFile());
            for (JsonNode test : root.path("tests")) {
                int n = 0;
                for (JsonNode stage : test.path("stages")) {
                    JsonNode input = stage.path("input");
                    JsonNode output = stage.path("output");
                    Stage s = stage(family, file.getFileName().toString().replace(".yaml", "") + "-"
                            + test.path("test_id").asText() + "-" + (++n), input, output);
                    if (s != null) stages.add(s);
                }
            }
        }
        return stages;
    }

    private static Stage stage(String family, String id, JsonNode input, JsonNode output) {
        JsonNode log = output.path("log");
        Expect expect;
        List<Integer> statuses = new ArrayList<>();
        if (log.has("expect_ids") && log.path("expect_ids").size() > 0) {
            expect = Expect.FIRE;
        } else if (log.has("no_expect_ids")) {
            expect = Expect.NO_FIRE;
        } else if (output.has("status")) {
            expect = Expect.STATUS;
            JsonNode st = output.path("status");
            if (st.isArray()) st.forEach(x -> statuses.add(x.asInt()));
            else statuses.add(st.asInt());
        } else {
            return null; // nothing to score
        }
        return new Stage(family, id, bytes(input), expect, statuses);
    }

    /** The request go-ftw sends: encoded_request verbatim, else method, uri, version, headers and data. */
    static byte[] bytes(JsonNode input) {
        if (input.hasNonNull("encoded_request")) {
            return Base64.getMimeDecoder().decode(input.path("encoded_request").asText());
        }
        String method = input.path("method").asText("GET");
        String uri = input.path("uri").asText("/");
        String version = input.has("version") ? input.path("version").asText() : "HTTP/1.1";
        String data = input.path("data").asText("");
        boolean autocomplete = input.path("autocomplete_headers").asBoolean(true);
        StringBuilder head = new StringBuilder(method).append(' ').append(uri);
        if (!version.isEmpty()) head.append(' ').append(version);
        head.append("\r\n");
        boolean hasLength = false;
        boolean hasConnection = false;
        for (Iterator<Map.Entry<String, JsonNode>> it = input.path("headers").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> h = it.next();
            if (h.getKey().equalsIgnoreCase("content-length")) hasLength = true;
            if (h.getKey().equalsIgnoreCase("connection")) hasConnection = true;
            head.append(h.getKey()).append(": ").append(h.getValue().asText()).append("\r\n");
        }
        byte[] body = data.getBytes(StandardCharsets.UTF_8);
        if (autocomplete) {
            if (!hasLength && body.length > 0) head.append("Content-Length: ").append(body.length).append("\r\n");
            if (!hasConnection) head.append("Connection: close\r\n");
        }
        head.append("\r\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
        out.writeBytes(body);
        return out.toByteArray();
    }
}
