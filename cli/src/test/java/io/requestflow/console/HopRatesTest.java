package io.requestflow.console;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class HopRatesTest {
    static String metrics(long ok, long failed, long fastOk) {
        // fastOk of the 200s ended within 1 ms, the rest within 10 ms; the 503s all within 1 ms
        return """
                # TYPE requestflow_requests_seconds histogram
                requestflow_requests_seconds_bucket{hop="edge",instance="edge-1",status="200",le="0.001"} %d
                requestflow_requests_seconds_bucket{hop="edge",instance="edge-1",status="200",le="0.01"} %d
                requestflow_requests_seconds_bucket{hop="edge",instance="edge-1",status="200",le="+Inf"} %d
                requestflow_requests_seconds_count{hop="edge",instance="edge-1",status="200"} %d
                requestflow_requests_seconds_bucket{hop="edge",instance="edge-1",status="503",le="0.001"} %d
                requestflow_requests_seconds_bucket{hop="edge",instance="edge-1",status="503",le="0.01"} %d
                requestflow_requests_seconds_bucket{hop="edge",instance="edge-1",status="503",le="+Inf"} %d
                requestflow_requests_seconds_count{hop="edge",instance="edge-1",status="503"} %d
                requestflow_requests_late_total{hop="edge",instance="edge-1"} 0.0
                """.formatted(fastOk, ok, ok, ok, failed, failed, failed, failed);
    }

    @Test
    void ratesAndTheP99BucketComeFromTheChangeBetweenTwoLooks() {
        HopRates rates = new HopRates();
        assertThat(rates.update("edge-1", metrics(1_000, 10, 1_000), 0)).as("one look tells no rate").isNull();
        // 2 s later: 200 more requests, 20 of them 503s; of the 180 200s only 100 ended within 1 ms
        HopRates.Rates r = rates.update("edge-1", metrics(1_180, 30, 1_100), 2_000_000_000L);
        assertThat(r.perSecond()).isEqualTo(100.0);
        assertThat(r.serverErrorsPerSecond()).isEqualTo(10.0);
        // 120 of 200 ended within 1 ms, all 200 within 10 ms: the 99th percentile lies in the 10 ms bucket
        assertThat(r.p99Ms()).isEqualTo(10.0);
        // a look half a second later keeps the figures (several pages must not make them noise)
        assertThat(rates.update("edge-1", metrics(1_500, 30, 1_100), 2_500_000_000L)).isSameAs(r);
    }

    @Test
    void noRequestsMeansNoP99AndGarbageIsSkipped() {
        HopRates rates = new HopRates();
        rates.update("x", "requestflow_requests_seconds_count{status=\"200\"} nonsense\n", 0);
        HopRates.Rates r = rates.update("x", "", 1_500_000_000L);
        assertThat(r.perSecond()).isZero();
        assertThat(r.p99Ms()).isNull();
    }
}
