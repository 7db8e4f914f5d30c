package io.hourglass.api.grpc;

import io.hourglass.api.grpc.v1.Admin;
import com.google.protobuf.ByteString;
import io.hourglass.api.grpc.v1.AdminCredentials;
import io.hourglass.api.grpc.v1.BackupReply;
import io.hourglass.api.grpc.v1.BackupRequest;
import io.hourglass.api.grpc.v1.BackupResult;
import io.hourglass.api.grpc.v1.ConnectionInfo;
import io.hourglass.api.grpc.v1.DatabaseState;
import io.hourglass.api.grpc.v1.DestroyReply;
import io.hourglass.api.grpc.v1.DestroyRequest;
import io.hourglass.api.grpc.v1.LogHold;
import io.hourglass.api.grpc.v1.RamPolicyRequest;
import io.hourglass.api.grpc.v1.RestoreBackupReply;
import io.hourglass.api.grpc.v1.RestoreBackupRequest;
import io.hourglass.api.grpc.v1.StatusReply;
import io.hourglass.api.grpc.v1.ArchiveStatusReply;
import io.hourglass.api.grpc.v1.DatabaseArchive;
import io.hourglass.api.grpc.v1.RestoreProgress;
import io.hourglass.api.grpc.v1.RestoreRequest;
import io.hourglass.api.grpc.v1.RestoreResult;
import io.hourglass.archive.KafkaRestore;
import io.hourglass.engine.backup.Backup;
import io.hourglass.engine.backup.Restore;
import io.hourglass.engine.lifecycle.DatabaseStatus;
import io.hourglass.engine.lifecycle.Instance;
import io.hourglass.engine.log.Lsn;
import io.hourglass.service.AdminService;
import io.hourglass.service.ArchiveService;
import io.hourglass.service.EngineExecutor;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;

import java.util.concurrent.locks.LockSupport;


/**
 * The {@code hourglass.v1.Admin} service: every admin power of {@code /v1/admin} over HTTP
 * (archive, restore from Kafka, status, RAM policy, backup, restore, destroy), with the same
 * privileges ({@link AdminService}). Password checks and file work run off the event loop.
 */
@GrpcService
public class AdminGrpcService implements Admin {
    @Inject
    Instance instance;

    @Inject
    ArchiveService archive;

    @Inject
    EngineExecutor executor;

    @Inject
    AdminService admin;

    private void admin(AdminCredentials c) { instance.authenticateAdmin(c.getUser(), c.getPassword()); }

    @Override
    public Uni<ArchiveStatusReply> archiveStatus(AdminCredentials credentials) {
        return Uni.createFrom().item(() -> {
                    admin(credentials);
                    ArchiveStatusReply.Builder b = ArchiveStatusReply.newBuilder();
                    for (ArchiveService.DatabaseArchive d : archive.status()) b.addDatabases(archive(d));
                    return b.build();
                })
                .runSubscriptionOn(executor)
                .onFailure().transform(ProtoValues::status);
    }

    @Override
    public Multi<RestoreProgress> restore(RestoreRequest req) {
        return Multi.createFrom().emitter(em -> Thread.ofVirtual().name("hourglass-grpc-restore").start(() -> {
            try {
                admin(req.getCredentials());
                ArchiveService.RestoreJob job = archive.restore(req.getSource(), req.getTarget(), req.getDataStore(),
                        req.getLogDir(), req.getPermSizeMb(), req.getToLsn(), req.getToTime());
                while (job.state.equals("running") && !em.isCancelled()) {
                    em.emit(progress(job).build());
                    Thread.sleep(250);
                }
                if (em.isCancelled()) return; // the restore goes on; its job id was sent
                if (job.error != null) {
                    em.fail(ProtoValues.status(job.error));
                    return;
                }
                KafkaRestore.Result r = job.result;
                em.emit(progress(job).setResult(RestoreResult.newBuilder().setCheckpointId(r.checkpointId())
                        .setEndLsn(Lsn.of(r.endLsn()).toString()).setTransactions(r.transactions()).setChanges(r.changes())
                        .setSnapshotBytes(r.snapshotBytes()).setRows(r.rows()).setNewDatabaseId(r.newDatabaseId())
                        .setTotalMillis(r.totalMillis())).build());
                em.complete();
            } catch (Throwable t) {
                em.fail(ProtoValues.status(t));
            }
        }));
    }

    private static DatabaseArchive archive(ArchiveService.DatabaseArchive d) {
        return DatabaseArchive.newBuilder().setDatabase(d.database()).setTopic(d.topic())
                .setState(d.state()).setAcknowledgedLsn(d.acknowledgedLsn()).setBehindBytes(d.behindBytes())
                .setBehindMillis(d.behindMillis()).setAcknowledgedTransactions(d.acknowledgedTransactions())
                .setHoldDropped(d.holdDropped()).setRefusingCommits(d.refusingCommits())
                .setLastError(d.lastError() == null ? "" : d.lastError())
                .setArchivedCheckpointId(d.archivedCheckpointId()).build();
    }

    // ---- ttStatus, ttAdmin, ttBackup, ttRestore, ttDestroy --------------------------------------

    @Override
    public Uni<StatusReply> status(AdminCredentials c) {
        return blocking(() -> {
            StatusReply.Builder b = StatusReply.newBuilder().setVersion(Instance.VERSION);
            for (AdminService.DatabaseView v : admin.status(c.getUser(), c.getPassword())) b.addDatabases(state(v));
            return b.build();
        });
    }

    @Override
    public Uni<DatabaseState> ramPolicy(RamPolicyRequest r) {
        return blocking(() -> state(admin.ramPolicy(r.getCredentials().getUser(), r.getCredentials().getPassword(), r.getDatabase(),
                r.getPolicy(), r.hasGrace() ? r.getGrace() : null, r.hasAutoreload() ? r.getAutoreload() : null, r.getAction())));
    }

    @Override
    public Uni<DestroyReply> destroy(DestroyRequest r) {
        return blocking(() -> {
            admin.destroy(r.getCredentials().getUser(), r.getCredentials().getPassword(), r.getDatabase(), r.getWaitSeconds(), r.getForce());
            return DestroyReply.newBuilder().setDatabase(r.getDatabase()).build();
        });
    }

    @Override
    public Multi<BackupReply> backup(BackupRequest r) {
        return Multi.createFrom().emitter(em -> Thread.ofVirtual().name("hourglass-grpc-backup").start(() -> {
            try {
                long[] last = {0};
                Backup.Progress progress = (phase, done, total) -> {
                    long now = System.nanoTime();
                    if (now - last[0] < 250_000_000L) return; // about four a second
                    last[0] = now;
                    em.emit(BackupReply.newBuilder().setPhase(phase).setDone(done).setTotal(Math.max(total, 0)).build());
                };
                // streamFull: the stream's bytes go out in messages, at the pace the client reads them.
                java.io.OutputStream out = new java.io.OutputStream() {
                    @Override
                    public void write(int b) { write(new byte[] {(byte) b}, 0, 1); }

                    @Override
                    public void write(byte[] b, int off, int len) {
                        while (em.requested() <= 0 && !em.isCancelled()) LockSupport.parkNanos(1_000_000);
                        if (em.isCancelled()) throw new java.io.UncheckedIOException(new java.io.IOException("the client went away"));
                        em.emit(BackupReply.newBuilder().setData(ByteString.copyFrom(b, off, len)).build());
                    }
                };
                Backup.Result res = admin.backup(r.getCredentials().getUser(), r.getCredentials().getPassword(), r.getDatabase(),
                        r.getType(), r.getDir(), r.getFname(), r.getForce(), out, progress);
                BackupResult.Builder rb = BackupResult.newBuilder().setType(res.type().label).setBytes(res.bytes())
                        .setFiles(res.files()).setMillis(res.millis());
                if (res.backupLsn() != null) rb.setBackupLsn(res.backupLsn());
                em.emit(BackupReply.newBuilder().setPhase("done").setDone(res.bytes()).setTotal(res.bytes()).setResult(rb).build());
                em.complete();
            } catch (Throwable t) {
                em.fail(ProtoValues.status(t));
            }
        }));
    }

    @Override
    public Uni<RestoreBackupReply> restoreBackup(Multi<RestoreBackupRequest> requests) {
        return blocking(() -> {
            java.util.Iterator<RestoreBackupRequest> it = requests.subscribe().asIterable().iterator();
            if (!it.hasNext()) throw io.hourglass.engine.ErrorCode.SEMANTIC_ERROR.error("a restore needs its first message");
            RestoreBackupRequest first = it.next();
            java.io.InputStream data = new java.io.InputStream() {
                private ByteString chunk = first.getData();
                private int at;

                @Override
                public int read() {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    while (at >= chunk.size()) {
                        if (!it.hasNext()) return -1;
                        chunk = it.next().getData();
                        at = 0;
                    }
                    int n = Math.min(len, chunk.size() - at);
                    chunk.copyTo(b, at, off, n);
                    at += n;
                    return n;
                }
            };
            Restore.Result res = admin.restore(first.getCredentials().getUser(), first.getCredentials().getPassword(),
                    first.getDatabase(), first.getDir(), first.getFname(), data, Backup.Progress.NONE);
            return RestoreBackupReply.newBuilder().setDatabase(res.database()).setBackupLsn(res.backupLsn())
                    .setBackups(res.backups()).setBytes(res.bytes()).setMillis(res.millis()).build();
        });
    }

    private <T> Uni<T> blocking(java.util.function.Supplier<T> body) {
        return Uni.createFrom().item(body).runSubscriptionOn(executor).onFailure().transform(ProtoValues::status);
    }

    private static DatabaseState state(AdminService.DatabaseView v) {
        DatabaseStatus s = v.status();
        DatabaseState.Builder b = DatabaseState.newBuilder().setName(s.name()).setTemporary(s.temporary())
                .setRamPolicy(s.ramPolicy()).setRamGrace(s.ramGraceSeconds()).setAutoreload(s.autoreload()).setState(s.state())
                .setMemoryUsed(s.memoryUsed()).setPermSize(s.permSize());
        if (s.dataStore() != null) b.setDataStore(s.dataStore());
        if (s.logDir() != null) b.setLogDir(s.logDir());
        for (DatabaseStatus.ConnectionInfo c : s.connections()) b.addConnections(ConnectionInfo.newBuilder().setId(c.id()).setUser(c.user()));
        for (int n : s.invalidImages()) b.addInvalidImages(n);
        if (s.checkpoint() != null) {
            b.setCheckpointId(s.checkpoint().id()).setCheckpointFile(s.checkpoint().file())
                    .setCheckpointRedoLsn(s.checkpoint().redoLsn()).setCheckpointEndMillis(s.checkpoint().endMillis());
        }
        if (s.log() != null) {
            b.setLogAppendedLsn(s.log().appendedLsn()).setLogSyncedLsn(s.log().syncedLsn());
            for (var h : s.log().holds()) {
                b.addLogHolds(LogHold.newBuilder().setLsn(Lsn.of(h.lsn()).toString()).setType(h.type()).setDescription(h.description()));
            }
        }
        if (v.archive() != null) b.setArchive(archive(v.archive()));
        return b.build();
    }

    private static RestoreProgress.Builder progress(ArchiveService.RestoreJob job) {
        RestoreProgress.Builder b = RestoreProgress.newBuilder().setJobId(job.id);
        KafkaRestore.Progress p = job.progress;
        if (p != null) {
            b.setPhase(p.phase()).setDone(p.done()).setTotal(p.total()).setPerSecond(p.perSecond()).setEtaMillis(p.etaMillis())
                    .setTransactions(p.transactions()).setChanges(p.changes());
        }
        return b;
    }
}
