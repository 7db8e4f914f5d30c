package io.hourglass.api.rest;

import io.hourglass.engine.backup.Backup;
import io.hourglass.engine.backup.Restore;
import io.hourglass.service.AdminService;
import io.smallrye.common.annotation.RunOnVirtualThread;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.io.InputStream;
import java.util.List;
import java.util.Map;

/**
 * ttStatus, ttAdmin, ttBackup, ttRestore and ttDestroy over HTTP, with the privileges of
 * {@link AdminService} (Basic authentication). The gRPC {@code hourglass.v1.Admin} service offers
 * the same.
 */
@Path("/v1/admin")
@Tag(name = "Admin")
@Produces(MediaType.APPLICATION_JSON)
public class AdminResource {
    @Inject
    AdminService admin;

    /** ttAdmin's changes (null: unchanged), then an action: load, unload or none. */
    public record RamPolicyRequest(String policy, Integer grace, Boolean autoreload, String action) {}

    /** ttBackup's options; dir is on the server. */
    public record BackupRequest(String type, String dir, String fname, Boolean force) {}

    /** ttRestore from a backup directory on the server. */
    public record RestoreRequest(String dir, String fname) {}

    @GET
    @Path("/status")
    @RunOnVirtualThread
    @Operation(summary = "ttStatus: every database, loaded or not: paths, RAM policy, connections, checkpoint, log, archive")
    public List<AdminService.DatabaseView> status(@HeaderParam(HttpHeaders.AUTHORIZATION) String auth) {
        Credentials c = Credentials.fromHeader(auth);
        return admin.status(c.user(), c.password());
    }

    @POST
    @Path("/databases/{dsn}/ram")
    @Consumes(MediaType.APPLICATION_JSON)
    @RunOnVirtualThread
    @Operation(summary = "ttAdmin: -ramPolicy, -ramGrace, -autoreload/-noautoreload, then -ramLoad or -ramUnload")
    public AdminService.DatabaseView ram(@HeaderParam(HttpHeaders.AUTHORIZATION) String auth, @PathParam("dsn") String dsn,
                                         RamPolicyRequest r) {
        Credentials c = Credentials.fromHeader(auth);
        RamPolicyRequest q = r == null ? new RamPolicyRequest(null, null, null, null) : r;
        return admin.ramPolicy(c.user(), c.password(), dsn, q.policy(), q.grace(), q.autoreload(), q.action());
    }

    @POST
    @Path("/databases/{dsn}/backups")
    @Consumes(MediaType.APPLICATION_JSON)
    @RunOnVirtualThread
    @Operation(summary = "ttBackup into a directory on the server (fileFull, fileFullEnable, fileIncremental, fileIncrOrFull, incrementalStop)")
    public Backup.Result backup(@HeaderParam(HttpHeaders.AUTHORIZATION) String auth, @PathParam("dsn") String dsn, BackupRequest r) {
        Credentials c = Credentials.fromHeader(auth);
        if (r == null) throw io.hourglass.engine.ErrorCode.SEMANTIC_ERROR.error("a backup needs at least dir");
        if ("streamFull".equalsIgnoreCase(r.type())) {
            throw io.hourglass.engine.ErrorCode.SEMANTIC_ERROR.error("streamFull is GET /v1/admin/databases/{dsn}/backup-stream");
        }
        return admin.backup(c.user(), c.password(), dsn, r.type(), r.dir(), r.fname(), Boolean.TRUE.equals(r.force()), null,
                Backup.Progress.NONE);
    }

    @GET
    @Path("/databases/{dsn}/backup-stream")
    @Produces(MediaType.APPLICATION_OCTET_STREAM)
    @RunOnVirtualThread
    @Operation(summary = "ttBackup -type streamFull: the backup as one stream (restore it with POST .../restore-stream)")
    public Response backupStream(@HeaderParam(HttpHeaders.AUTHORIZATION) String auth, @PathParam("dsn") String dsn) {
        Credentials c = Credentials.fromHeader(auth);
        StreamingOutput body = out -> admin.backup(c.user(), c.password(), dsn, "streamFull", null, null, false, out,
                Backup.Progress.NONE);
        return Response.ok(body).header("Content-Disposition", "attachment; filename=\"" + dsn + ".hgbackup\"").build();
    }

    @POST
    @Path("/databases/{dsn}/restore")
    @Consumes(MediaType.APPLICATION_JSON)
    @RunOnVirtualThread
    @Operation(summary = "ttRestore from a backup directory on the server into a database with no files (destroy it first)")
    public Restore.Result restore(@HeaderParam(HttpHeaders.AUTHORIZATION) String auth, @PathParam("dsn") String dsn, RestoreRequest r) {
        Credentials c = Credentials.fromHeader(auth);
        if (r == null || r.dir() == null || r.dir().isBlank()) {
            throw io.hourglass.engine.ErrorCode.SEMANTIC_ERROR.error("a restore needs dir (or POST a stream to .../restore-stream)");
        }
        return admin.restore(c.user(), c.password(), dsn, r.dir(), r.fname(), null, Backup.Progress.NONE);
    }

    @POST
    @Path("/databases/{dsn}/restore-stream")
    @Consumes(MediaType.APPLICATION_OCTET_STREAM)
    @RunOnVirtualThread
    @Operation(summary = "ttRestore from a streamFull stream in the request body")
    public Restore.Result restoreStream(@HeaderParam(HttpHeaders.AUTHORIZATION) String auth, @PathParam("dsn") String dsn,
                                        InputStream body) {
        Credentials c = Credentials.fromHeader(auth);
        return admin.restore(c.user(), c.password(), dsn, null, null, body, Backup.Progress.NONE);
    }

    @DELETE
    @Path("/databases/{dsn}")
    @RunOnVirtualThread
    @Operation(summary = "ttDestroy: removes the database's files; refuses while connections exist unless waited for or forced")
    public Map<String, String> destroy(@HeaderParam(HttpHeaders.AUTHORIZATION) String auth, @PathParam("dsn") String dsn,
                                       @QueryParam("wait") @DefaultValue("0") double waitSeconds,
                                       @QueryParam("force") @DefaultValue("false") boolean force) {
        Credentials c = Credentials.fromHeader(auth);
        admin.destroy(c.user(), c.password(), dsn, waitSeconds, force);
        return Map.of("database", dsn, "state", "destroyed");
    }
}
