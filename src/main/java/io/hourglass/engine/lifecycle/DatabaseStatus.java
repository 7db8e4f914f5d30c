package io.hourglass.engine.lifecycle;

import io.hourglass.engine.checkpoint.CheckpointFormat;
import io.hourglass.engine.log.LogHolds;
import io.hourglass.engine.log.Lsn;

import java.util.ArrayList;
import java.util.List;

/**
 * One database as ttStatus shows it: where its files are, its RAM policy, whether it is loaded
 * (or invalid, or being recovered), its connections, and its checkpoint and log state. The
 * service adds the Kafka archive's state beside it.
 *
 * @param state loaded, unloaded, loading, recovering after invalidation, invalid, invalid not
 *              reloaded, destroyed
 * @param connections the open connections of the loaded image
 * @param invalidImages connections still holding each invalidated image (they coexist with a
 *                      reloaded one until their last connection closes)
 * @param memoryUsed bytes of PermSize in use by every image, invalidated ones included
 * @param checkpoint the newest complete checkpoint, or null
 * @param log the log's state, or null when not loaded (or Temporary)
 */
public record DatabaseStatus(String name, String dataStore, String logDir, boolean temporary, String ramPolicy,
                             int ramGraceSeconds, boolean autoreload, String state, List<ConnectionInfo> connections,
                             List<Integer> invalidImages, long memoryUsed, long permSize, Checkpoint checkpoint, Log log) {

    /** An open connection: its id and user. */
    public record ConnectionInfo(long id, String user) {}

    public record Checkpoint(long id, String file, String redoLsn, long endMillis) {}

    public record Log(String appendedLsn, String syncedLsn, List<LogHolds.Hold> holds) {}

    static DatabaseStatus of(ManagedDatabase m) {
        DatabaseConfig cfg = m.config;
        RamPolicy p = m.policy();
        Database db = m.current();
        List<ConnectionInfo> conns = new ArrayList<>();
        Checkpoint ckpt = null;
        Log log = null;
        if (db != null) {
            for (Connection c : db.connections()) conns.add(new ConnectionInfo(c.id(), c.user().name()));
            conns.sort((a, b) -> Long.compare(a.id(), b.id()));
            if (db.checkpointer() != null) {
                CheckpointFormat.Header h = db.checkpointer().newest();
                if (h != null) {
                    ckpt = new Checkpoint(h.checkpointId(), db.checkpointer().files().path(h.fileNo()).toString(),
                            Lsn.of(h.redoLsn()).toString(), h.endMillis());
                }
            }
            if (db.log() != null) {
                log = new Log(Lsn.of(db.log().appendedLsn()).toString(), Lsn.of(db.log().syncedLsn()).toString(),
                        db.log().holds().holds());
            }
        }
        List<Integer> invalid = new ArrayList<>();
        for (Database d : m.invalidImages()) invalid.add(d.connectionCount());
        return new DatabaseStatus(cfg.name(), cfg.dataStore(), cfg.temporary() ? null : cfg.logDirectory().toString(),
                cfg.temporary(), p.kind().label, p.graceSeconds(), p.autoreload(), m.stateLabel(), conns, invalid,
                m.memoryUsed(), cfg.permSizeMb() << 20, ckpt, log);
    }
}
