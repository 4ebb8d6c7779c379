package io.requestflow.console;

import io.requestflow.engine.http.Problem;
import io.requestflow.engine.http.Request;
import io.requestflow.engine.http.Response;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/** The console page's files, read from the jar once at start and served as they are. */
final class StaticAssets {
    private static final Map<String, String> FILES = Map.of(
            "/", "index.html",
            "/index.html", "index.html",
            "/console.js", "console.js",
            "/console.css", "console.css");
    // the page loads only its own script and style, and talks only to its own origin
    private static final String POLICY = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'";

    private final Map<String, byte[]> contents;

    private StaticAssets(Map<String, byte[]> contents) {
        this.contents = contents;
    }

    static StaticAssets load() {
        return new StaticAssets(Map.of("index.html", read("index.html"), "console.js", read("console.js"),
                "console.css", read("console.css")));
    }

    Response serve(Request request) {
        if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
            return Problem.of(405, "Method Not Allowed", "the console's pages are read with GET");
        }
        String file = FILES.get(request.path());
        if (file == null) return Problem.notFound("the console is at / (its API under /api/)");
        return Response.of(200, type(file), contents.get(file))
                .header("Cache-Control", "no-cache")
                .header("Content-Security-Policy", POLICY)
                .header("X-Content-Type-Options", "nosniff");
    }

    private static String type(String file) {
        if (file.endsWith(".html")) return "text/html; charset=utf-8";
        if (file.endsWith(".js")) return "text/javascript; charset=utf-8";
        return "text/css; charset=utf-8";
    }

    private static byte[] read(String file) {
        try (InputStream in = StaticAssets.class.getResourceAsStream("/console/" + file)) {
            if (in == null) throw new IllegalStateException("console/" + file + " is missing from the jar");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
