package io.requestflow.dns.health;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** GET the URL; 2xx or 3xx within the timeout passes (redirects are not followed: a 3xx is an answer). */
final class HttpProbe implements Probe {

    private final URI uri;
    private final HttpClient http;

    HttpProbe(URI uri, HttpClient http) {
        this.uri = uri;
        this.http = http;
    }

    @Override
    public boolean check(Duration timeout) {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).GET()
                .header("User-Agent", "requestflow-dns-health").build();
        try {
            int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            return status >= 200 && status < 400;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
