package io.hourglass.it;

import io.hourglass.archive.KafkaBroker;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.nio.file.Path;
import java.util.HashMap;
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
    /** The same broker the service tests use (in this JVM, or -Dtest.kafka.servers). */
    private final KafkaBroker broker = new KafkaBroker();

    @Override
    public Map<String, String> start() {
        Map<String, String> settings = new HashMap<>(broker.start()); // kafka.bootstrap.servers, archive on
        servers = settings.get("kafka.bootstrap.servers");
        settings.putAll(Map.ofEntries(
                Map.entry("hourglass.admin.password", PASSWORD),
                Map.entry("hourglass.archive.topic-prefix", PREFIX),
                Map.entry("hourglass.databases.sampledb.data-store", DATA.resolve("sampledb/sampledb").toString()),
                Map.entry("hourglass.databases.sampledb.log-dir", DATA.resolve("sampledb").toString()),
                Map.entry("hourglass.databases.sampledb.perm-size", "64"),
                Map.entry("hourglass.databases.itdb.data-store", DATA.resolve("itdb/itdb").toString()),
                Map.entry("hourglass.databases.itdb.perm-size", "64"),
                Map.entry("hourglass.databases.itdb.log-file-size", "8"),
                Map.entry("hourglass.databases.itdb.log-buf-mb", "4")));
        return settings;
    }

    @Override
    public void stop() {
        broker.stop();
    }
}
