package io.hourglass.it;

import io.hourglass.cache.CacheServiceTest;
import io.hourglass.cache.PostgresServer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;

/**
 * Cache groups in the packaged service (the jar, or the native binary under {@code -Dnative},
 * where the PostgreSQL driver must work without a JVM's class loading): the same journey as
 * {@link CacheServiceTest}, against a real PostgreSQL server.
 */
@QuarkusIntegrationTest
@WithTestResource(PackagedService.class)
@WithTestResource(PostgresServer.class)
class CacheIT extends CacheServiceTest {
    @Override
    protected String adminPassword() { return PackagedService.PASSWORD; }
}
