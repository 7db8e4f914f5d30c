package io.hourglass.engine.lifecycle;

import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.cache.CacheAgent;
import io.hourglass.engine.catalog.CacheGroup;
import io.hourglass.engine.catalog.CatalogChange;
import io.hourglass.engine.catalog.Privilege;
import io.hourglass.engine.catalog.SqlType;
import io.hourglass.engine.sql.CatalogChanges;
import io.hourglass.engine.sql.StatementResult;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static io.hourglass.engine.lifecycle.Procedures.arity;
import static io.hourglass.engine.lifecycle.Procedures.col;
import static io.hourglass.engine.lifecycle.Procedures.table;

/**
 * ttCacheUidPwdSet, ttCacheUidGet, ttCacheStart, ttCacheStop, ttRepSubscriberWait, ttCacheAWTThresholdSet
 * (CACHE_MANAGER), ttCacheAWTThresholdGet and ttCacheAutorefreshStatsGet (no privilege), by TimesTen's names.
 */
final class CacheProcedures {
    private CacheProcedures() {}

    static void register(Procedures p, ManagedDatabase m) {
        p.register("ttCacheUidPwdSet", (c, a) -> {
            arity("ttCacheUidPwdSet", a, 2, 2);
            requireCacheManager(c);
            if (a[0] == null || a[1] == null || a[0].toString().isBlank()) {
                throw ErrorCode.SEMANTIC_ERROR.error("ttCacheUidPwdSet takes the backend user and its password");
            }
            m.setCacheCredentials(new CacheAgent.Credentials(a[0].toString(), a[1].toString()));
            return StatementResult.none();
        });
        p.register("ttCacheUidGet", (c, a) -> {
            arity("ttCacheUidGet", a, 0, 0);
            requireCacheManager(c);
            CacheAgent.Credentials cr = m.cacheCredentials();
            return table(List.of(col("UID", SqlType.VARCHAR_ANY)), List.<Object[]>of(new Object[] {cr == null ? null : cr.user()}));
        });
        p.register("ttCacheStart", (c, a) -> {
            arity("ttCacheStart", a, 0, 0);
            requireCacheManager(c);
            CacheAgent agent = agent(c);
            if (agent.running()) throw ErrorCode.CACHE_AGENT_RUNNING.error();
            agent.check(); // the backend answers with these credentials, or TT5220 now rather than at each refresh
            CatalogChanges.logAndApply(c.catalog(), c.transactions(), new CatalogChange.CacheAgent(true));
            agent.start();
            return StatementResult.none();
        });
        p.register("ttCacheStop", (c, a) -> {
            arity("ttCacheStop", a, 0, 1);
            requireCacheManager(c);
            CacheAgent agent = agent(c);
            if (c.catalog().cacheAgentRunning()) {
                CatalogChanges.logAndApply(c.catalog(), c.transactions(), new CatalogChange.CacheAgent(false));
            }
            agent.stop();
            return StatementResult.none();
        });
        p.register("ttRepSubscriberWait", (c, a) -> {
            // (replicationName, replicationOwner, subscriberName, subscriberHost, waitTime): Hourglass has
            // no replication scheme; the subscriber '_ORACLE' is the backend of ASYNCHRONOUS WRITETHROUGH.
            arity("ttRepSubscriberWait", a, 5, 5);
            requireCacheManager(c);
            if (a[2] == null || !a[2].toString().equalsIgnoreCase("_ORACLE")) {
                throw ErrorCode.SEMANTIC_ERROR.error("ttRepSubscriberWait waits for subscriber '_ORACLE' (the backend of ASYNCHRONOUS"
                        + " WRITETHROUGH cache groups); Hourglass has no replication scheme");
            }
            // waitTime in seconds; -1 (or NULL) waits as long as it takes
            boolean forever = a[4] == null || io.hourglass.engine.catalog.Values.isNumber(a[4])
                    && io.hourglass.engine.catalog.Values.toDouble(a[4]) == -1;
            long millis = forever ? Long.MAX_VALUE / 4 : Procedures.wholeNumber("ttRepSubscriberWait's waitTime", a[4]) * 1000L;
            boolean done;
            try {
                done = agent(c).awaitWriteBehind(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw ErrorCode.INTERNAL.error("interrupted");
            }
            return table(List.of(col("TIMEOUT", SqlType.BIGINT)), List.<Object[]>of(new Object[] {done ? 0L : 1L}));
        });
        p.register("ttCacheAWTThresholdSet", (c, a) -> {
            // How many log files ASYNCHRONOUS WRITETHROUGH may keep for the backend before its hold is dropped; NULL or 0: no limit.
            arity("ttCacheAWTThresholdSet", a, 1, 1);
            requireCacheManager(c);
            int files = a[0] == null ? 0 : Procedures.wholeNumber("ttCacheAWTThresholdSet's threshold", a[0]);
            CatalogChanges.logAndApply(c.catalog(), c.transactions(), new CatalogChange.AwtThreshold(files));
            return StatementResult.none();
        });
        p.register("ttCacheAWTThresholdGet", (c, a) -> {
            arity("ttCacheAWTThresholdGet", a, 0, 0);
            return table(List.of(col("THRESHOLD", SqlType.BIGINT)), List.<Object[]>of(new Object[] {(long) c.catalog().awtThreshold()}));
        });
        p.register("ttCacheAutorefreshStatsGet", (c, a) -> {
            arity("ttCacheAutorefreshStatsGet", a, 2, 2);
            if (a[0] == null || a[1] == null) throw ErrorCode.SEMANTIC_ERROR.error("ttCacheAutorefreshStatsGet takes the owner and the name of a cache group");
            CacheGroup g = c.catalog().requireCacheGroup(a[0].toString().toUpperCase(Locale.ROOT), a[1].toString().toUpperCase(Locale.ROOT));
            List<Object[]> rows = new ArrayList<>();
            for (CacheAgent.Refresh r : agent(c).history(g)) {
                rows.add(new Object[] {r.number(), time(r.startMillis()), time(r.endMillis()), r.full() ? "Full" : "Incremental", r.rows(),
                        r.status(), r.error()});
            }
            return table(List.of(col("AUTOREFNUM", SqlType.BIGINT), col("AUTOREFSTARTTIME", SqlType.TIMESTAMP),
                    col("AUTOREFENDTIME", SqlType.TIMESTAMP), col("AUTOREFTYPE", SqlType.VARCHAR_ANY), col("ROWS_APPLIED", SqlType.BIGINT),
                    col("STATUS", SqlType.VARCHAR_ANY), col("ERROR", SqlType.VARCHAR_ANY)), rows);
        });
    }

    private static LocalDateTime time(long millis) { return LocalDateTime.ofInstant(Instant.ofEpochMilli(millis), ZoneOffset.UTC); }

    private static CacheAgent agent(Connection c) {
        CacheAgent agent = c.database().cacheAgent();
        if (agent == null) throw ErrorCode.CACHE_NOT_CONFIGURED.error("database " + c.database().name() + " has no cache agent here");
        return agent;
    }

    private static void requireCacheManager(Connection c) {
        if (!c.catalog().has(c.user(), Privilege.CACHE_MANAGER) && !c.catalog().has(c.user(), Privilege.ADMIN)) {
            throw ErrorCode.PRIVILEGE_REQUIRED.error(c.user().name(), "CACHE_MANAGER");
        }
    }
}
