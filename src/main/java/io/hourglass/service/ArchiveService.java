package io.hourglass.service;

import io.hourglass.archive.KafkaLogShipper;
import io.hourglass.engine.lifecycle.Database;
import io.hourglass.engine.lifecycle.Instance;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.Startup;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts a Kafka log shipper for every persistent database when {@code hourglass.archive.enabled}
 * is set, right after the engine has loaded them (each shipper's Archive log hold is in place
 * before any checkpoint could purge), and stops them before the engine closes.
 */
@ApplicationScoped
@Startup
public class ArchiveService {
    private static final Logger LOG = Logger.getLogger(ArchiveService.class);

    private final List<KafkaLogShipper> shippers = new ArrayList<>();

    ArchiveService(Instance instance, HourglassConfig config) {
        if (!config.archive().enabled()) return;
        String servers = ConfigProvider.getConfig().getOptionalValue("kafka.bootstrap.servers", String.class)
                .orElseThrow(() -> new IllegalStateException("hourglass.archive.enabled needs kafka.bootstrap.servers"));
        for (Database db : instance.databases()) {
            if (db.config().temporary()) continue;
            KafkaLogShipper s = new KafkaLogShipper(db, Map.of("bootstrap.servers", servers), config.archive().topicPrefix());
            s.start();
            shippers.add(s);
            LOG.infof("Database %s is archived to Kafka topic %s at %s", db.name(), s.topic(), servers);
        }
    }

    public List<KafkaLogShipper> shippers() { return List.copyOf(shippers); }

    void stop(@Observes @Priority(1) ShutdownEvent ev) {
        for (KafkaLogShipper s : shippers) s.close();
    }
}
