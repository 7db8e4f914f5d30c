package io.hourglass.service;

import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.backup.Backup;
import io.hourglass.engine.backup.BackupType;
import io.hourglass.engine.backup.Restore;
import io.hourglass.engine.catalog.Privilege;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.DatabaseConfig;
import io.hourglass.engine.lifecycle.DatabaseStatus;
import io.hourglass.engine.lifecycle.Instance;
import io.hourglass.engine.lifecycle.RamPolicy;
import io.hourglass.engine.spi.FileStorageIo;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The admin actions both edges (gRPC {@code hourglass.v1.Admin}, HTTP {@code /v1/admin}) offer,
 * with the privileges TimesTen's utilities need: ttAdmin, ttStatus, ttRestore and ttDestroy are
 * the instance administrator's; ttBackup needs ADMIN in the database (as {@code CALL ttCkpt}).
 * Blocking: call from a virtual or worker thread, never an event loop.
 */
@ApplicationScoped
public class AdminService {
    @Inject
    Instance instance;

    @Inject
    ArchiveService archive;

    /** A database as ttStatus shows it, with its Kafka archive (null when not archived). */
    public record DatabaseView(DatabaseStatus status, ArchiveService.DatabaseArchive archive) {}

    public List<DatabaseView> status(String user, String password) {
        instance.authenticateAdmin(user, password);
        List<DatabaseView> out = new ArrayList<>();
        for (DatabaseStatus s : instance.status()) out.add(new DatabaseView(s, archive.status(s.name())));
        return out;
    }

    /**
     * ttAdmin: changes first (policy, grace, autoreload: null leaves each as it is), then the
     * action ("load", "unload", or null). Returns the database's state after.
     */
    public DatabaseView ramPolicy(String user, String password, String dsn, String policy, Integer grace, Boolean autoreload,
                                  String action) {
        instance.authenticateAdmin(user, password);
        RamPolicy now = instance.ramPolicy(dsn);
        RamPolicy next = now;
        try {
            if (policy != null && !policy.isBlank()) next = next.withKind(RamPolicy.Kind.parse(policy));
            if (grace != null) next = next.withGrace(grace);
            if (autoreload != null) next = next.withAutoreload(autoreload);
        } catch (IllegalArgumentException e) {
            throw ErrorCode.SEMANTIC_ERROR.error(e.getMessage());
        }
        if (!next.equals(now)) instance.setRamPolicy(dsn, next);
        String a = action == null ? "" : action.trim().toLowerCase(java.util.Locale.ROOT);
        switch (a) {
            case "" -> { }
            case "load", "ramload" -> instance.ramLoad(dsn);
            case "unload", "ramunload" -> instance.ramUnload(dsn);
            default -> throw ErrorCode.SEMANTIC_ERROR.error("the action is load or unload, not " + action);
        }
        return view(dsn);
    }

    private DatabaseView view(String dsn) {
        DatabaseStatus s = instance.status(dsn);
        return new DatabaseView(s, archive.status(s.name()));
    }

    /**
     * ttBackup as {@code user}, who needs ADMIN in the database. The connection it opens keeps
     * the database loaded (and names the backup in a checkpoint's TT0625) while it runs.
     */
    public Backup.Result backup(String user, String password, String dsn, String type, String dir, String fname, boolean force,
                                OutputStream stream, Backup.Progress progress) {
        BackupType t;
        try {
            t = BackupType.parse(type);
        } catch (IllegalArgumentException e) {
            throw ErrorCode.SEMANTIC_ERROR.error(e.getMessage());
        }
        try (Connection c = instance.connect(dsn, user, password)) {
            if (!c.catalog().has(c.user(), Privilege.ADMIN)) throw ErrorCode.PRIVILEGE_REQUIRED.error(c.user().name(), "ADMIN");
            Path d = t == BackupType.STREAM_FULL || dir == null || dir.isBlank() ? null : Path.of(dir);
            return Backup.run(c.database(), FileStorageIo.INSTANCE,
                    new Backup.Request(t, d, fname, force, t == BackupType.STREAM_FULL ? stream : null, c.id()), progress);
        }
    }

    /**
     * ttRestore into {@code dsn}, which this instance defines and which has no files (destroy it
     * first): from the backup directory {@code dir}, or when it is null from {@code stream}.
     * The database then loads as its RAM policy says.
     */
    public Restore.Result restore(String user, String password, String dsn, String dir, String fname, InputStream stream,
                                  Backup.Progress progress) {
        instance.authenticateAdmin(user, password);
        DatabaseConfig target = instance.config(dsn);
        instance.refuseRestoreOver(dsn);
        Restore.Result r = dir != null && !dir.isBlank()
                ? Restore.fromDirectory(Path.of(dir), fname, target, FileStorageIo.INSTANCE, progress)
                : Restore.fromStream(stream, target, FileStorageIo.INSTANCE, progress);
        instance.restored(dsn);
        return r;
    }

    /** ttDestroy. */
    public void destroy(String user, String password, String dsn, double waitSeconds, boolean force) {
        instance.authenticateAdmin(user, password);
        if (waitSeconds < 0) throw ErrorCode.SEMANTIC_ERROR.error("the wait must not be negative");
        instance.destroy(dsn, waitSeconds, force);
    }
}
