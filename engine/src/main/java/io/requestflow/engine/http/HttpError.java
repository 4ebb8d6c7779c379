package io.requestflow.engine.http;

/** Thrown by a handler to answer with a problem (a 4xx it chose), never logged as a failure. */
public final class HttpError extends RuntimeException {
    private final int status;
    private final String title;

    public HttpError(int status, String title, String detail) {
        super(detail, null, false, false);
        this.status = status;
        this.title = title;
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
        return r;
    }
}
