package io.hourglass.archive;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

import java.util.Map;

/**
 * A real KRaft broker in the test JVM for Quarkus tests, with the archive switched on. Set
 * {@code -Dhourglass.test.kafka=host:port} to use an outside broker instead.
 */
public class KafkaBroker implements QuarkusTestResourceLifecycleManager {
    private KafkaClusterTestKit kafka;

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
        String outside = System.getProperty("hourglass.test.kafka");
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
                "hourglass.archive.topic-prefix", "svc-test");
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
