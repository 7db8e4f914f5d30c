package io.hourglass.service;

import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.lifecycle.Connection;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Multi-statement transactions over HTTP: each is a connection with autocommit off, named by
 * an unguessable id and owned by the user who began it. One left idle longer than
 * {@code hourglass.http.transaction-timeout} is rolled back and forgotten, so an abandoned
 * client cannot hold locks for ever.
 */
@ApplicationScoped
public class HttpTransactions {
    private static final Logger LOG = Logger.getLogger(HttpTransactions.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    @Inject
    HourglassConfig config;

    private final Map<String, Entry> open = new ConcurrentHashMap<>();
    private ScheduledExecutorService reaper;

    /** An open transaction; {@code lastUsed} is refreshed by every request. */
    public static final class Entry {
        final String id;
        final Connection connection;
        volatile long lastUsedNanos = System.nanoTime();

        Entry(String id, Connection connection) {
            this.id = id;
            this.connection = connection;
        }

        public Connection connection() { return connection; }
    }

    void start(@Observes StartupEvent ev) {
        reaper = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("hourglass-http-txn-reaper").factory());
        long period = Math.max(100, config.http().transactionTimeout().toMillis() / 4);
        reaper.scheduleAtFixedRate(this::expire, period, period, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent ev) {
        if (reaper != null) reaper.shutdownNow();
        open.values().forEach(e -> e.connection.close());
        open.clear();
    }

    public String begin(Connection c) {
        if (open.size() >= config.http().maxTransactions()) {
            c.close();
            throw ErrorCode.SEMANTIC_ERROR.error("too many open HTTP transactions (" + open.size() + "); commit or roll back some");
        }
        c.setAutocommit(false);
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        String id = HexFormat.of().formatHex(b);
        open.put(id, new Entry(id, c));
        return id;
    }

    /** The transaction {@code id} if it exists and belongs to {@code user}; else TT90018. */
    public Entry get(String id, String user) {
        Entry e = id == null ? null : open.get(id);
        if (e == null || !e.connection.user().name().equalsIgnoreCase(user)) throw ErrorCode.TRANSACTION_NOT_FOUND.error(id);
        e.lastUsedNanos = System.nanoTime();
        return e;
    }

    /** Forgets the transaction and closes its connection (rolling back what is not committed). */
    public void end(Entry e) {
        if (open.remove(e.id, e)) e.connection.close();
    }

    public int openCount() { return open.size(); }

    void expire() {
        long limit = config.http().transactionTimeout().toNanos();
        long now = System.nanoTime();
        for (Entry e : open.values()) {
            if (now - e.lastUsedNanos > limit && open.remove(e.id, e)) {
                LOG.infof("HTTP transaction %s of %s idle for more than %s: rolled back", e.id,
                        e.connection.user().name(), config.http().transactionTimeout());
                e.connection.close();
            }
        }
    }
}
