package io.hourglass.service;

import io.hourglass.engine.lifecycle.DatabaseStatus;
import io.hourglass.engine.lifecycle.Instance;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Ready when no database is loading, recovering or invalid, and every one with the always policy is loaded. */
@Readiness
@ApplicationScoped
public class DatabasesReadiness implements HealthCheck {
    @Inject
    Instance instance;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("databases");
        boolean all = true;
        for (DatabaseStatus d : instance.status()) {
            b.withData(d.name(), d.state());
            // Not ready while a database loads or recovers, or is invalid; an always database must be loaded.
            boolean ok = switch (d.state()) {
                case "loaded" -> true;
                case "unloaded", "destroyed" -> !d.ramPolicy().equals("always");
                default -> false;
            };
            all &= ok;
        }
        return b.status(all).build();
    }
}
