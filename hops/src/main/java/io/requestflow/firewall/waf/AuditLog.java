package io.requestflow.firewall.waf;

import io.requestflow.engine.http.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The WAF's audit trail: one JSON object per line for every request a rule fired on (time, client,
 * request id, incident id, rule ids, matched parts, score, action). Written synchronously and flushed
 * per line so that nothing is lost on a crash; at most {@link #MAX_MATCHES} matches per line.
 */
public final class AuditLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
    static final int MAX_MATCHES = 20;

    private final BufferedWriter out;
    private boolean failed;

    private AuditLog(BufferedWriter out) {
        this.out = out;
    }

    /** An audit log appending to {@code file}, or one that writes nothing for a null file. */
    public static AuditLog open(Path file) {
        if (file == null) return new AuditLog(null);
        try {
            if (file.getParent() != null) Files.createDirectories(file.getParent());
            return new AuditLog(Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND));
        } catch (IOException e) {
            throw new IllegalStateException("firewall: cannot open the audit log " + file + ": " + e.getMessage(), e);
        }
    }

    public void record(String client, String requestId, String incidentId, String method, String path,
                       List<Match> matches, int score, String action) {
        if (out == null) return;
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("time", Instant.now().toString());
        line.put("client", client);
        line.put("requestId", requestId);
        if (incidentId != null) line.put("incidentId", incidentId);
        line.put("method", method);
        line.put("path", path.length() > 200 ? path.substring(0, 200) : path);
        line.put("rules", matches.stream().map(Match::ruleId).distinct().toList());
        line.put("matched", matches.stream().limit(MAX_MATCHES).map(m -> Map.of("rule", m.ruleId(),
                "part", m.location(), "evidence", m.evidence())).toList());
        line.put("score", score);
        line.put("action", action);
        write(new String(Json.bytes(line), StandardCharsets.UTF_8));
    }

    private synchronized void write(String json) {
        try {
            out.write(json);
            out.newLine();
            out.flush();
            failed = false;
        } catch (IOException e) {
            if (!failed) LOG.warn("firewall: audit log write failed: {}", e.getMessage());
            failed = true;
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (out != null) out.close();
    }
}
