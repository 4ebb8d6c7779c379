package io.requestflow.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** Config records read from YAML/JSON: missing keys mean defaults, 0 keeps its meaning. */
class ConfigTest {

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void missingKeysTakeDefaults() throws Exception {
        PostgresConfig pg = json.readValue("{}", PostgresConfig.class);
        assertThat(pg).isEqualTo(PostgresConfig.defaults());
        assertThat(pg.usesEmbedded()).isTrue();
        assertThat(pg.port()).isEqualTo(5433);
        assertThat(pg.poolSize()).isEqualTo(10);
        assertThat(pg.connectionTimeoutMs()).isEqualTo(2000);
        assertThat(pg.statementTimeoutMs()).isEqualTo(5000);

        RedisConfig redis = json.readValue("{}", RedisConfig.class);
        assertThat(redis.port()).isEqualTo(6380);
        assertThat(redis.timeoutMs()).isEqualTo(500);
        assertThat(redis.maxMemoryMb()).isEqualTo(256);
    }

    @Test
    void portZeroMeansPickAFreePortAndSurvivesARoundTrip() throws Exception {
        PostgresConfig pg = json.readValue("{\"port\":0,\"poolSize\":4}", PostgresConfig.class);
        assertThat(pg.port()).isZero();
        assertThat(json.readValue(json.writeValueAsString(pg), PostgresConfig.class)).isEqualTo(pg);
        assertThat(json.writeValueAsString(pg)).doesNotContain("usesEmbedded");

        RedisConfig redis = json.readValue("{\"url\":\"redis://cache:6379\"}", RedisConfig.class);
        assertThat(redis.usesEmbedded()).isFalse();
        assertThat(json.readValue(json.writeValueAsString(redis), RedisConfig.class)).isEqualTo(redis);
    }

    @Test
    void badValuesAreRejectedWithTheKey() {
        assertThatThrownBy(() -> json.readValue("{\"port\":70000}", PostgresConfig.class)).hasMessageContaining("data.postgres.port");
        assertThatThrownBy(() -> json.readValue("{\"url\":\"postgres://x\"}", PostgresConfig.class)).hasMessageContaining("jdbc:postgresql:");
        assertThatThrownBy(() -> json.readValue("{\"url\":\"http://x\"}", RedisConfig.class)).hasMessageContaining("redis://");
    }

    @Test
    void passwordsStayOutOfLogs() {
        PostgresConfig pg = PostgresConfig.external("jdbc:postgresql://db:5432/app", "app", "s3cret");
        assertThat(pg.toString()).doesNotContain("s3cret");
        assertThat(new JdbcEndpoint(pg.url(), pg.user(), pg.password()).toString()).doesNotContain("s3cret");
    }
}
