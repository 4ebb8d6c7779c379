package io.requestflow.cli.get;

import io.requestflow.engine.trace.ServerTiming;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class WaterfallTest {
    static final List<ServerTiming.Entry> GOLDEN_PATH = ServerTiming.parse(
            "edge;dur=12.40;desc=\"MISS\", firewall;dur=12.10, balancer;dur=11.90;desc=\"catalog-2\", "
                    + "gateway;dur=11.50, redis;dur=0.40;desc=\"throttle\", catalog;dur=10.00, "
                    + "redis;dur=0.25;desc=\"miss\", postgres;dur=8.10;desc=\"replica\"");

    @Test
    void selfTimeIsTheDurationMinusTheNextHopAndCallsGoUnderTheirHop() {
        List<Waterfall.Row> rows = Waterfall.rows(GOLDEN_PATH);
        assertThat(rows).extracting(Waterfall.Row::name)
                .containsExactly("edge", "firewall", "balancer", "gateway", "redis", "catalog", "redis", "postgres");
        assertThat(rows).extracting(Waterfall.Row::call)
                .containsExactly(false, false, false, false, true, false, true, true);
        assertThat(rows.get(0).selfMs()).isCloseTo(0.30, within(1e-9));
        assertThat(rows.get(1).selfMs()).isCloseTo(0.20, within(1e-9));
        assertThat(rows.get(3).selfMs()).isCloseTo(1.50, within(1e-9)); // gateway, including its own redis call
        assertThat(rows.get(4).selfMs()).isNull();
        assertThat(rows.get(5).selfMs()).isCloseTo(10.00 - 0.25 - 8.10, within(1e-9)); // the service
    }

    @Test
    void barsNestEachHopInsideTheOneBefore() {
        List<Waterfall.Row> rows = Waterfall.rows(GOLDEN_PATH);
        Waterfall.Row gateway = rows.get(3);
        Waterfall.Row catalog = rows.get(5);
        assertThat(catalog.startMs()).isGreaterThanOrEqualTo(gateway.startMs());
        assertThat(catalog.startMs() + catalog.durMs()).isLessThanOrEqualTo(gateway.startMs() + gateway.durMs() + 1e-9);
        // the gateway's redis call runs before it forwards, so the service starts after it
        assertThat(catalog.startMs()).isGreaterThanOrEqualTo(rows.get(4).startMs() + rows.get(4).durMs() - 1e-9);
        // sequential calls follow each other inside the service
        assertThat(rows.get(7).startMs()).isCloseTo(catalog.startMs() + 0.25, within(1e-9));
    }

    @Test
    void overlappingCallsLeaveTheServiceSelfTimeUnknown() {
        List<Waterfall.Row> rows = Waterfall.rows(ServerTiming.parse(
                "product-page;dur=5, catalog-call;dur=4, redis;dur=3, redis;dur=3"));
        assertThat(rows.get(1).selfMs()).isNull();
        assertThat(rows.get(2).startMs()).isEqualTo(rows.get(3).startMs()); // drawn in parallel
    }

    @Test
    void callNamesAreRecognisedByPrefix() {
        assertThat(Waterfall.isCall("redis")).isTrue();
        assertThat(Waterfall.isCall("postgres-replica")).isTrue();
        assertThat(Waterfall.isCall("db.read")).isTrue();
        assertThat(Waterfall.isCall("kafka")).isTrue();
        assertThat(Waterfall.isCall("gateway")).isFalse();
        assertThat(Waterfall.isCall("dbadmin")).isFalse();
    }

    @Test
    void rendersOneLinePerEntryWithProportionalBars() {
        List<String> lines = Waterfall.render(GOLDEN_PATH, 40);
        assertThat(lines).hasSize(1 + GOLDEN_PATH.size());
        assertThat(lines.get(1)).contains("edge").contains("12.40").contains("0.30").endsWith("|  MISS");
        assertThat(lines.get(1)).contains("|" + "#".repeat(40) + "|");
        assertThat(lines.get(5)).startsWith("    redis").contains("=").endsWith("throttle");
        assertThat(lines.get(8)).contains("postgres").contains("=".repeat(25));
        for (String line : lines.subList(1, lines.size())) {
            assertThat(line.indexOf('|')).isEqualTo(lines.get(1).indexOf('|'));
        }
        assertThat(Waterfall.render(List.of(), 40)).isEmpty();
    }

    @Test
    void zeroDurationsStillRender() {
        List<String> lines = Waterfall.render(ServerTiming.parse("edge;dur=0, svc;dur=0"), 10);
        assertThat(lines).hasSize(3);
        assertThat(lines.get(1)).contains("|          |");
    }

    @Test
    void entriesMarkedByAHopAreItsCallsWhateverTheirNames() {
        List<Waterfall.Row> rows = Waterfall.rows(ServerTiming.parse("edge;dur=20, gateway;dur=15, throttle;dur=1;by=gateway,"
                + " page;dur=10, product;dur=9;by=page, inventory;dur=6;by=page"));
        assertThat(rows).extracting(Waterfall.Row::name)
                .containsExactly("edge", "gateway", "throttle", "page", "product", "inventory");
        assertThat(rows).extracting(Waterfall.Row::call).containsExactly(false, false, true, false, true, true);
    }
}
