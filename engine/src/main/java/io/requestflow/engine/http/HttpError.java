package io.requestflow.engine.http;

/** Thrown by a handler to answer with a problem (a 4xx, or a 503 it chose), never logged as a failure. */
public final class HttpError extends RuntimeException {
    private final int status;
    private final String title;
    /** Seconds for {@code Retry-After}, or 0 for none. */
    private final long retryAfterSeconds;

    public HttpError(int status, String title, String detail) {
        this(status, title, detail, 0);
    }

    private HttpError(int status, String title, String detail, long retryAfterSeconds) {
        super(detail, null, false, false);
        this.status = status;
        this.title = title;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** A 503 that tells the client when to try again. */
    public static HttpError unavailable(String detail, long retryAfterSeconds) {
        return new HttpError(503, "Service Unavailable", detail, retryAfterSeconds);
    }

    public static HttpError badRequest(String detail) {
        return new HttpError(400, "Bad Request", detail);
    }

    public static HttpError notFound(String detail) {
        return new HttpError(404, "Not Found", detail);
    }

    public static HttpError unauthorized(String detail) {
        return new HttpError(401, "Unauthorized", detail);
    }

    public Response toResponse() {
        Response r = Problem.of(status, title, getMessage());
        if (status == 401) r.headers().set("www-authenticate", "Bearer");
        if (retryAfterSeconds > 0) r.headers().set("retry-after", String.valueOf(retryAfterSeconds));
        return r;
    }
}
