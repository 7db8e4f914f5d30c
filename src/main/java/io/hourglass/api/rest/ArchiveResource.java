package io.hourglass.api.rest;

import io.hourglass.archive.KafkaRestore;
import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.lifecycle.Instance;
import io.hourglass.service.ArchiveService;
import io.smallrye.common.annotation.RunOnVirtualThread;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The Kafka archive's admin API: its state, and restores from it (instance administrator only). */
@Path("/v1/admin")
@Tag(name = "Archive")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class ArchiveResource {
    @Inject
    Instance instance;

    @Inject
    ArchiveService archive;

    /**
     * A restore request.
     *
     * @param source the archived database (its topics are {@code <prefix>.<source>.*})
     * @param target the new database's name; defaults to the source's
     * @param dataStore the new database's DataStore path prefix (required)
     * @param logDir where its log goes (default: the DataStore's directory)
     * @param permSizeMb its PermSize (default 256)
     * @param toLsn stop after the transaction ending at or before this LSN ("file.offset")
     * @param toTime stop after the last transaction committed at or before this instant (ISO-8601)
     */
    public record RestoreRequest(String source, String target, String dataStore, String logDir, Long permSizeMb,
                                 String toLsn, String toTime) {}

    @GET
    @Path("/archive")
    @RunOnVirtualThread
    @Operation(summary = "State of the Kafka archive of every database: shipping, lag, hold, newest archived checkpoint")
    public List<ArchiveService.DatabaseArchive> status(@HeaderParam(HttpHeaders.AUTHORIZATION) String auth) {
        admin(auth);
        return archive.status();
    }

    @POST
    @Path("/restores")
    @RunOnVirtualThread
    @Operation(summary = "Restore a database from its Kafka archive into a new database",
            description = "Runs in the background; poll GET /v1/admin/restores/{id} for progress and the result.")
    public Response restore(@HeaderParam(HttpHeaders.AUTHORIZATION) String auth, RestoreRequest req) {
        admin(auth);
        if (req == null) throw ErrorCode.SEMANTIC_ERROR.error("a restore needs a source and a dataStore");
        ArchiveService.RestoreJob job = archive.restore(req.source(), req.target(), req.dataStore(), req.logDir(),
                req.permSizeMb(), req.toLsn(), req.toTime());
        return Response.accepted(view(job)).build();
    }

    @GET
    @Path("/restores/{id}")
    @RunOnVirtualThread
    @Operation(summary = "A restore's progress (records, bytes, rate, ETA) and, once done, its result")
    public Map<String, Object> restoreStatus(@HeaderParam(HttpHeaders.AUTHORIZATION) String auth, @PathParam("id") String id) {
        admin(auth);
        return view(archive.restoreJob(id));
    }

    private void admin(String auth) {
        Credentials c = Credentials.fromHeader(auth);
        instance.authenticateAdmin(c.user(), c.password());
    }

    private static Map<String, Object> view(ArchiveService.RestoreJob j) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", j.id);
        m.put("source", j.source);
        m.put("target", j.target);
        m.put("state", j.state);
        KafkaRestore.Progress p = j.progress;
        if (p != null) m.put("progress", p);
        KafkaRestore.Result r = j.result;
        if (r != null) m.put("result", r);
        if (j.error != null) m.put("error", Map.of("code", j.error.number(), "message", j.error.getMessage()));
        return m;
    }
}
