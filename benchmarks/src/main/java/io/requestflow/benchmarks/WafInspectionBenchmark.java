package io.requestflow.benchmarks;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.requestflow.engine.http.Request;
import io.requestflow.firewall.waf.Inspection;
import io.requestflow.firewall.waf.Waf;
import io.requestflow.firewall.waf.WafConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The cost of inspecting typical requests at paranoia level 1: a product search (GET with browser
 * headers and cookies) and a JSON order (POST). The reference is taking the request apart and
 * normalising it without running any rule, in the same run.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class WafInspectionBenchmark {
    private Waf waf;
    private Request search;
    private Request order;

    @Setup
    public void setUp() {
        // the memos of clean header and other values off: every value of the request is inspected each time
        waf = new Waf(WafConfig.defaults().withCleanHeaderMemo(0).withCleanValueMemo(0));
        search = request("GET", "/api/products/search?q=wireless+headphones+%28noise+cancelling%29&page=2&sort=price_asc",
                null, "");
        order = request("POST", "/api/orders", "application/json", """
                {"items":[{"sku":"SKU-48213","qty":2,"price":59.9},{"sku":"SKU-10022","qty":1,"price":12.5}],
                 "shipping":{"name":"Seán O'Brien","street":"12 Rue de l'Église, Apt. #4","city":"Zürich",
                 "zip":"8001","country":"CH","phone":"+41 (44) 123 45 67"},
                 "email":"sean@example.com","note":"Leave at the door - thanks! Call if there's a problem."}""");
    }

    static Request request(String method, String uri, String contentType, String body) {
        var h = new DefaultHttpHeaders();
        h.set("host", "shop.requestflow.test");
        h.set("user-agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                + "Chrome/124.0 Safari/537.36");
        h.set("accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");
        h.set("accept-language", "de-CH,de;q=0.9,en;q=0.8");
        h.set("accept-encoding", "gzip, deflate, br");
        h.set("cookie", "session=4f9a2c1e8b7d6a5f; theme=dark; consent=yes");
        h.set("referer", "https://shop.requestflow.test/products?page=1");
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        if (contentType != null) {
            h.set("content-type", contentType);
            h.set("content-length", bytes.length);
        }
        return new Request(method, uri, h, bytes, new InetSocketAddress("198.51.100.7", 40000));
    }

    Request search() {
        return search;
    }

    Request order() {
        return order;
    }

    @Benchmark
    public Object searchReferenceParseOnly() {
        return WafInspectionCpu.normalised(new Inspection(search, 255));
    }

    @Benchmark
    public Object searchInspected() {
        return waf.inspect(search);
    }

    @Benchmark
    public Object orderReferenceParseOnly() {
        return WafInspectionCpu.normalised(new Inspection(order, 255));
    }

    @Benchmark
    public Object orderInspected() {
        return waf.inspect(order);
    }
}
