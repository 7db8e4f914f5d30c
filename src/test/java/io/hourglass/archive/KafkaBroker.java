package io.hourglass.archive;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

import java.util.Map;

/**
 * A real KRaft broker in the test JVM for Quarkus tests, with the archive switched on. Set
 * {@code -Dtest.kafka.servers=host:port} to use an outside broker instead (not under
 * {@code hourglass.}: Quarkus rejects unknown keys under its configuration roots).
 */
public class KafkaBroker implements QuarkusTestResourceLifecycleManager {
    private KafkaClusterTestKit kafka;

    /** Makes this run's topic names unique, so runs against one outside broker never meet. */
    public static final String RUN = Long.toHexString(System.currentTimeMillis());

    /** A running broker for a plain JUnit test: its bootstrap servers, and the in-JVM kit to close (null if outside). */
    public record Running(String servers, KafkaClusterTestKit kit) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            if (kit != null) kit.close();
        }
    }

    /** The outside broker named by {@code -Dtest.kafka.servers=host:port}, else a new in-JVM one. */
    public static Running forTest() throws Exception {
        String outside = System.getProperty("test.kafka.servers");
        if (outside != null) return new Running(outside, null);
        KafkaClusterTestKit k = startEmbedded();
        return new Running(k.bootstrapServers(), k);
    }

    /** Starts an in-JVM broker (one combined node) and returns it. */
    public static KafkaClusterTestKit startEmbedded() throws Exception {
        KafkaClusterTestKit k = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build()).build();
        k.format();
        k.startup();
        k.waitForReadyBrokers();
        return k;
    }

    @Override
    public Map<String, String> start() {
        String outside = System.getProperty("test.kafka.servers");
        String servers = outside;
        if (outside == null) {
            try {
                kafka = startEmbedded();
            } catch (Exception e) {
                throw new IllegalStateException("could not start the in-JVM Kafka broker", e);
            }
            servers = kafka.bootstrapServers();
        }
        return Map.of("kafka.bootstrap.servers", servers, "hourglass.archive.enabled", "true",
                "hourglass.archive.topic-prefix", "svc-test-" + RUN);
    }

    @Override
    public void stop() {
        if (kafka != null) {
            try {
                kafka.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
