package io.hourglass.api.grpc;

import io.hourglass.api.grpc.v1.Admin;
import io.hourglass.api.grpc.v1.AdminCredentials;
import io.hourglass.api.grpc.v1.ArchiveStatusReply;
import io.hourglass.api.grpc.v1.DatabaseArchive;
import io.hourglass.api.grpc.v1.RestoreProgress;
import io.hourglass.api.grpc.v1.RestoreRequest;
import io.hourglass.api.grpc.v1.RestoreResult;
import io.hourglass.archive.KafkaRestore;
import io.hourglass.engine.lifecycle.Instance;
import io.hourglass.engine.log.Lsn;
import io.hourglass.service.ArchiveService;
import io.hourglass.service.EngineExecutor;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;


/**
 * The {@code hourglass.v1.Admin} service: the same archive powers as {@code /v1/admin} over
 * HTTP, for the instance administrator. Password checks and polling run off the event loop.
 */
@GrpcService
public class AdminGrpcService implements Admin {
    @Inject
    Instance instance;

    @Inject
    ArchiveService archive;

    @Inject
    EngineExecutor executor;

    private void admin(AdminCredentials c) { instance.authenticateAdmin(c.getUser(), c.getPassword()); }

    @Override
    public Uni<ArchiveStatusReply> archiveStatus(AdminCredentials credentials) {
        return Uni.createFrom().item(() -> {
                    admin(credentials);
                    ArchiveStatusReply.Builder b = ArchiveStatusReply.newBuilder();
                    for (ArchiveService.DatabaseArchive d : archive.status()) {
                        b.addDatabases(DatabaseArchive.newBuilder().setDatabase(d.database()).setTopic(d.topic())
                                .setState(d.state()).setAcknowledgedLsn(d.acknowledgedLsn()).setBehindBytes(d.behindBytes())
                                .setBehindMillis(d.behindMillis()).setAcknowledgedTransactions(d.acknowledgedTransactions())
                                .setHoldDropped(d.holdDropped()).setRefusingCommits(d.refusingCommits())
                                .setLastError(d.lastError() == null ? "" : d.lastError())
                                .setArchivedCheckpointId(d.archivedCheckpointId()));
                    }
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
