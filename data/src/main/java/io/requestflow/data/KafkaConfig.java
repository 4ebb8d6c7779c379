package io.requestflow.data;

/**
 * The queue's Kafka: external ({@code url}, a bootstrap list such as {@code kafka-1:9092,kafka-2:9092}) or
 * an embedded single-node KRaft broker on 127.0.0.1 ({@code port}, its controller on {@code port + 1}).
 *
 * @param heapMb the embedded broker's JVM heap
 */
public record KafkaConfig(String url, Integer port, Integer heapMb) {
    public static final int DEFAULT_PORT = 9092;
    public static final int DEFAULT_HEAP_MB = 384;
    public static final String PORT_KEY = "data.kafka.port";

    public KafkaConfig {
        if (url != null && url.isBlank()) url = null;
        port = port == null ? DEFAULT_PORT : port;
        heapMb = heapMb == null ? DEFAULT_HEAP_MB : heapMb;
        if (port < 0 || port > 65534) throw new IllegalArgumentException(PORT_KEY + " must be 0..65534, got " + port);
        if (heapMb < 128) throw new IllegalArgumentException("data.kafka.heapMb must be at least 128, got " + heapMb);
    }

    public static KafkaConfig defaults() {
        return new KafkaConfig(null, null, null);
    }

    /** An embedded broker on {@code port} (0: any free port). */
    public static KafkaConfig embedded(int port) {
        return new KafkaConfig(null, port, null);
    }

    public static KafkaConfig external(String bootstrap) {
        return new KafkaConfig(bootstrap, null, null);
    }

    public boolean usesEmbedded() {
        return url == null;
    }
}
