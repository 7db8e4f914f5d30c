package io.hourglass.it;

import io.hourglass.archive.KafkaBroker;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import org.apache.kafka.common.test.KafkaClusterTestKit;

import java.nio.file.Path;
import java.util.Map;

/**
 * What the packaged artifact (jar or native binary) under an {@code *IT} test runs with: a real
 * KRaft broker in the test JVM with the archive on, the admin password, and its databases' files
 * under {@code target/it-data/<run>/} instead of the default {@code data/}. Quarkus passes the
 * returned settings to the launched process as system properties.
 */
public class PackagedService implements QuarkusTestResourceLifecycleManager {
    public static final String PASSWORD = "it-admin-password";
    public static final String PREFIX = "it-" + KafkaBroker.RUN;
    public static final Path DATA = Path.of("target", "it-data", KafkaBroker.RUN).toAbsolutePath();

    /** The broker's bootstrap servers, for the test's own consumers (same JVM). */
    static volatile String servers;
    private KafkaClusterTestKit kafka;

    @Override
    public Map<String, String> start() {
        String outside = System.getProperty("test.kafka.servers");
        if (outside == null) {
            try {
                kafka = KafkaBroker.startEmbedded();
            } catch (Exception e) {
                throw new IllegalStateException("could not start the in-JVM Kafka broker", e);
            }
        }
        servers = outside != null ? outside : kafka.bootstrapServers();
        return Map.ofEntries(
                Map.entry("hourglass.admin.password", PASSWORD),
                Map.entry("kafka.bootstrap.servers", servers),
                Map.entry("hourglass.archive.enabled", "true"),
                Map.entry("hourglass.archive.topic-prefix", PREFIX),
                Map.entry("hourglass.databases.sampledb.data-store", DATA.resolve("sampledb/sampledb").toString()),
                Map.entry("hourglass.databases.sampledb.log-dir", DATA.resolve("sampledb").toString()),
                Map.entry("hourglass.databases.sampledb.perm-size", "64"),
                Map.entry("hourglass.databases.itdb.data-store", DATA.resolve("itdb/itdb").toString()),
                Map.entry("hourglass.databases.itdb.perm-size", "64"),
                Map.entry("hourglass.databases.itdb.log-file-size", "8"),
                Map.entry("hourglass.databases.itdb.log-buf-mb", "4"));
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
