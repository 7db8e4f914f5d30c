package io.hourglass.service;

import io.hourglass.engine.lifecycle.Database;
import io.hourglass.engine.lifecycle.Instance;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Ready when every configured database is loaded. */
@Readiness
@ApplicationScoped
public class DatabasesReadiness implements HealthCheck {
    @Inject
    Instance instance;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("databases");
        boolean all = true;
        for (Database d : instance.databases()) {
            b.withData(d.name(), d.loaded() ? "loaded" : "not loaded");
            all &= d.loaded();
        }
        return b.status(all).build();
    }
}
