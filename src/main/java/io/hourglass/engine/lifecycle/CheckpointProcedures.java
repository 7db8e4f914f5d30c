package io.hourglass.engine.lifecycle;

import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.catalog.CatalogChange;
import io.hourglass.engine.catalog.Privilege;
import io.hourglass.engine.catalog.SqlType;
import io.hourglass.engine.catalog.Values;
import io.hourglass.engine.checkpoint.CheckpointHistory;
import io.hourglass.engine.checkpoint.Checkpointer;
import io.hourglass.engine.log.LogHolds;
import io.hourglass.engine.log.Lsn;
import io.hourglass.engine.sql.CatalogChanges;
import io.hourglass.engine.sql.StatementResult;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

import static io.hourglass.engine.lifecycle.Procedures.arity;
import static io.hourglass.engine.lifecycle.Procedures.col;
import static io.hourglass.engine.lifecycle.Procedures.table;

/** ttCkpt, ttCkptBlocking, ttCkptConfig, ttCkptHistory and ttLogHolds. */
final class CheckpointProcedures {
    private static final Logger LOG = Logger.getLogger(CheckpointProcedures.class.getName());

    private CheckpointProcedures() {}

    static void register(Procedures p) {
        p.register("ttCkpt", (c, a) -> {
            arity("ttCkpt", a, 0, 0);
            requireAdmin(c);
            checkpointer(c).checkpoint(Checkpointer.Request.fuzzy(Checkpointer.Initiator.USER, "ttCkpt", c.id()));
            return StatementResult.none();
        });
        p.register("ttCkptBlocking", (c, a) -> {
            arity("ttCkptBlocking", a, 0, 2);
            requireAdmin(c);
            Checkpointer ck = checkpointer(c);
            double timeout = a.length > 0 && a[0] != null ? nonNegative("ttCkptBlocking timeout", a[0]) : c.lockWait();
            int retries = a.length > 1 && a[1] != null ? Procedures.wholeNumber("ttCkptBlocking retries", a[1]) : 0;
            if (retries > 10) throw ErrorCode.SEMANTIC_ERROR.error("ttCkptBlocking retries must be 0 to 10");
            var req = new Checkpointer.Request(Checkpointer.Type.BLOCKING, Checkpointer.Initiator.USER, "ttCkptBlocking",
                    c.id(), true, timeout, retries);
            if (c.inTransaction()) {
                // TimesTen runs it when the caller's transaction ends; its outcome is in ttCkptHistory.
                c.afterTransaction(() -> {
                    try {
                        ck.checkpoint(req);
                    } catch (RuntimeException e) {
                        LOG.log(Level.WARNING, "deferred ttCkptBlocking on connection " + c.id() + " failed", e);
                    }
                });
            } else {
                ck.checkpoint(req);
            }
            return StatementResult.none();
        });
        p.register("ttCkptConfig", (c, a) -> {
            arity("ttCkptConfig", a, 0, 3);
            Database db = c.database();
            checkpointer(c);
            boolean change = false;
            Integer[] v = new Integer[3];
            for (int i = 0; i < a.length; i++) {
                if (a[i] != null) {
                    v[i] = Procedures.wholeNumber("ttCkptConfig argument " + (i + 1), a[i]);
                    change = true;
                }
            }
            if (change) {
                requireAdmin(c);
                CatalogChanges.logAndApply(c.catalog(), c.transactions(), new CatalogChange.CheckpointSettings(v[0], v[1], v[2]));
                db.checkpointer().settingsChanged();
            }
            Checkpointer.Settings s = db.checkpointSettings();
            return table(List.of(col("CKPTFREQUENCY", SqlType.BIGINT), col("CKPTLOGVOLUME", SqlType.BIGINT),
                    col("CKPTRATE", SqlType.BIGINT)), List.<Object[]>of(new Object[] {
                    (long) s.frequencySeconds(), (long) s.logVolumeMb(), (long) s.rateMbPerSecond()}));
        });
        p.register("ttCkptHistory", (c, a) -> {
            arity("ttCkptHistory", a, 0, 0);
            List<Object[]> rows = new ArrayList<>();
            for (CheckpointHistory.Entry e : checkpointer(c).history().entries()) {
                rows.add(new Object[] {time(e.startMillis()), e.endMillis() == 0 ? null : time(e.endMillis()), e.type(), e.status(),
                        e.initiator(), e.reason(), e.error(), (long) e.ckptFileNum(), e.ckptLfn(), e.ckptLfo(), e.blksTotal(),
                        e.bytesTotal(), e.blksInUse(), e.bytesInUse(), e.bytesWritten(), e.durationMillis()});
            }
            return table(List.of(col("STARTTIME", SqlType.TIMESTAMP), col("ENDTIME", SqlType.TIMESTAMP),
                    col("TYPE", SqlType.VARCHAR_ANY), col("STATUS", SqlType.VARCHAR_ANY), col("INITIATOR", SqlType.VARCHAR_ANY),
                    col("REASON", SqlType.VARCHAR_ANY), col("ERROR", SqlType.VARCHAR_ANY), col("CKPTFILENUM", SqlType.BIGINT),
                    col("CKPTLFN", SqlType.BIGINT), col("CKPTLFO", SqlType.BIGINT), col("BLKSTOTAL", SqlType.BIGINT),
                    col("BYTESTOTAL", SqlType.BIGINT), col("BLKSINUSE", SqlType.BIGINT), col("BYTESINUSE", SqlType.BIGINT),
                    col("BYTESWRITTEN", SqlType.BIGINT), col("DURATIONMS", SqlType.BIGINT)), rows);
        });
    }

    /** ttLogHolds: every hold on the log, lowest first. */
    static StatementResult logHolds(Connection c) {
        List<Object[]> rows = new ArrayList<>();
        if (c.database().log() != null) {
            for (LogHolds.Hold h : c.database().shownHolds()) {
                Lsn at = Lsn.of(h.lsn());
                rows.add(new Object[] {(long) at.file(), at.offset(), h.type(), h.description()});
            }
        }
        return table(List.of(col("HOLDLFN", SqlType.BIGINT), col("HOLDLFO", SqlType.BIGINT),
                col("TYPE", SqlType.VARCHAR_ANY), col("DESCRIPTION", SqlType.VARCHAR_ANY)), rows);
    }

    /**
     * ttBookmark: where the log stands, as (file, offset) pairs: the end of what is written to the
     * log files, of what is synced (forced) there, and the replication bookmark, the oldest
     * position an ASYNCHRONOUS WRITETHROUGH group still has to send (-1, -1 if none). No row for
     * a Temporary database, which has no log.
     */
    static StatementResult bookmark(Connection c) {
        List<Object[]> rows = new ArrayList<>();
        var log = c.database().log();
        if (log != null) {
            Lsn written = Lsn.of(log.writtenLsn()), forced = Lsn.of(log.syncedLsn());
            Lsn hold = c.database().replicationHold();
            rows.add(new Object[] {(long) written.file(), written.offset(), (long) forced.file(), forced.offset(),
                    hold == null ? -1L : hold.file(), hold == null ? -1L : hold.offset()});
        }
        return table(List.of(col("WRITELFN", SqlType.INTEGER), col("WRITELFO", SqlType.BIGINT), col("FORCELFN", SqlType.INTEGER),
                col("FORCELFO", SqlType.BIGINT), col("HOLDLFN", SqlType.INTEGER), col("HOLDLFO", SqlType.BIGINT)), rows);
    }

    private static Checkpointer checkpointer(Connection c) {
        Checkpointer ck = c.database().checkpointer();
        if (ck == null) throw ErrorCode.UNSUPPORTED.error("checkpoints of a Temporary database (it has no files)");
        return ck;
    }

    static void requireAdmin(Connection c) {
        if (!c.catalog().has(c.user(), Privilege.ADMIN)) throw ErrorCode.PRIVILEGE_REQUIRED.error(c.user().name(), "ADMIN");
    }

    private static double nonNegative(String what, Object v) {
        if (!Values.isNumber(v)) throw ErrorCode.TYPE_MISMATCH.error(what + " must be a number, got " + Values.describe(v));
        double d = Values.toDouble(v);
        if (d < 0 || d > Integer.MAX_VALUE) throw ErrorCode.SEMANTIC_ERROR.error(what + " must be 0 to " + Integer.MAX_VALUE + " seconds");
        return d;
    }

    private static LocalDateTime time(long millis) {
        return LocalDateTime.ofInstant(Instant.ofEpochMilli(millis), ZoneOffset.UTC);
    }
}
