package io.hourglass.cli;

import com.google.protobuf.ByteString;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.hourglass.api.grpc.v1.AdminCredentials;
import io.hourglass.api.grpc.v1.BackupReply;
import io.hourglass.api.grpc.v1.BackupRequest;
import io.hourglass.api.grpc.v1.DatabaseState;
import io.hourglass.api.grpc.v1.DestroyRequest;
import io.hourglass.api.grpc.v1.LogHold;
import io.hourglass.api.grpc.v1.RamPolicyRequest;
import io.hourglass.api.grpc.v1.RestoreBackupReply;
import io.hourglass.api.grpc.v1.RestoreBackupRequest;
import io.hourglass.api.grpc.v1.StatusReply;
import io.hourglass.engine.lifecycle.ConnectionString;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;

/**
 * The utilities that act on a running service over gRPC, with TimesTen's options: sql (ttIsql),
 * backup (ttBackup), restore from a backup (ttRestore), destroy (ttDestroy), admin (ttAdmin),
 * status (ttStatus). Every one takes {@code --server host:port} and the administrator's
 * credentials ({@code --user}, default ADMIN; {@code --password}, default HOURGLASS_ADMIN_PASSWORD;
 * or UID and PWD in {@code -connstr}).
 */
final class ServiceCommands {
    private final PrintStream out;
    private final PrintStream err;
    private final InputStream in;
    private final OutputStream rawOut;
    private final Map<String, String> env;

    ServiceCommands(PrintStream out, PrintStream err, InputStream in, OutputStream rawOut, Map<String, String> env) {
        this.out = out;
        this.err = err;
        this.in = in;
        this.rawOut = rawOut;
        this.env = env;
    }

    /** Parsed TimesTen-style options: {@code -name value}, flags, and the positional DSN. */
    record Args(Map<String, String> values, Set<String> flags, List<String> positional) {
        String get(String k) { return values.get(k); }

        boolean has(String f) { return flags.contains(f); }
    }

    static Args parse(List<String> args, Set<String> valued, Set<String> flagNames) {
        Map<String, String> v = new HashMap<>();
        Set<String> f = new HashSet<>();
        List<String> pos = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String key = a.startsWith("--") ? a.substring(1) : a; // --server and -server alike
            if (valued.contains(key)) {
                if (i + 1 >= args.size()) throw new HourglassCli.UsageException(a + " needs a value");
                v.put(key, args.get(++i));
            } else if (flagNames.contains(key)) {
                f.add(key);
            } else if (a.startsWith("-") && a.length() > 1) {
                throw new HourglassCli.UsageException("unknown option " + a);
            } else {
                pos.add(a);
            }
        }
        return new Args(v, f, pos);
    }

    private static final Set<String> COMMON = Set.of("-server", "-user", "-password", "-connstr");

    private static Set<String> valued(String... more) {
        Set<String> s = new HashSet<>(COMMON);
        s.addAll(List.of(more));
        return s;
    }

    private ServiceClient client(Args a) {
        return new ServiceClient(a.get("-server") != null ? a.get("-server") : env.getOrDefault("HOURGLASS_SERVER", "localhost:8080"));
    }

    private String dsn(Args a) {
        String cs = a.get("-connstr");
        String dsn = cs != null ? ConnectionString.parse(cs).dsn() : null;
        if (dsn == null && a.positional().size() == 1) dsn = a.positional().getFirst();
        if (dsn == null || a.positional().size() > 1) throw new HourglassCli.UsageException("name one database (DSN or -connstr \"DSN=...\")");
        return dsn;
    }

    private AdminCredentials credentials(Args a) {
        String cs = a.get("-connstr");
        ConnectionString c = cs != null ? ConnectionString.parse(cs) : null;
        String user = a.get("-user") != null ? a.get("-user") : c != null && c.uid() != null ? c.uid() : "ADMIN";
        String pw = a.get("-password") != null ? a.get("-password") : c != null && c.pwd() != null ? c.pwd()
                : env.get("HOURGLASS_ADMIN_PASSWORD");
        if (pw == null) throw new HourglassCli.UsageException("no password: give --password or set HOURGLASS_ADMIN_PASSWORD");
        return ServiceClient.credentials(user, pw);
    }

    /** Runs {@code body} with a client; a gRPC failure becomes its message and exit code. */
    private int withClient(Args a, ClientBody body) {
        try (ServiceClient c = client(a)) {
            try {
                return body.run(c);
            } catch (StatusRuntimeException e) {
                ServiceClient.Failure f = c.describe(e);
                err.println(f.message());
                return f.exitCode();
            }
        }
    }

    @FunctionalInterface
    private interface ClientBody {
        int run(ServiceClient c) throws StatusRuntimeException;
    }

    // ---- sql --------------------------------------------------------------------------------------

    int sql(List<String> args) {
        Args a = parse(args, valued("-f"), Set.of());
        if (a.positional().size() != 1) throw new HourglassCli.UsageException("sql needs one connection string: \"DSN=..;UID=..;PWD=..\"");
        String cs = a.positional().getFirst();
        return withClient(a, c -> {
            try (SqlShell.Session s = new SqlShell.Session(c)) {
                String error = s.connect(cs);
                if (error != null) {
                    err.println(error);
                    return HourglassCli.FAILED;
                }
                ConnectionString parsed = ConnectionString.parse(cs);
                boolean interactive = a.get("-f") == null && System.console() != null && System.console().isTerminal();
                out.println("Connection successful: DSN=" + parsed.dsn() + ";UID=" + parsed.uid() + ";");
                if (interactive) out.println("(Type help for the commands, exit to leave.)");
                SqlShell shell = new SqlShell(out, s, !interactive);
                int failures;
                if (a.get("-f") != null) {
                    try (BufferedReader r = Files.newBufferedReader(Path.of(a.get("-f")))) {
                        failures = shell.run(SqlShell.lines(r));
                    }
                } else if (interactive) {
                    failures = shell.run(terminal());
                } else {
                    failures = shell.run(SqlShell.lines(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))));
                }
                out.println("Disconnecting...");
                out.println("Done.");
                return failures == 0 || interactive ? HourglassCli.OK : HourglassCli.FAILED;
            } catch (IOException e) {
                err.println(e.getMessage());
                return HourglassCli.FAILED;
            }
        });
    }

    /** The terminal, with line editing and a history kept in ~/.hourglass_history. */
    private static SqlShell.Lines terminal() throws IOException {
        org.jline.terminal.Terminal t = org.jline.terminal.TerminalBuilder.builder().system(true).build();
        org.jline.reader.LineReader r = org.jline.reader.LineReaderBuilder.builder().terminal(t)
                .variable(org.jline.reader.LineReader.HISTORY_FILE, Path.of(System.getProperty("user.home"), ".hourglass_history"))
                .build();
        return prompt -> {
            try {
                return r.readLine(prompt);
            } catch (org.jline.reader.UserInterruptException e) {
                return "";
            } catch (org.jline.reader.EndOfFileException e) {
                return null;
            }
        };
    }

    // ---- backup -----------------------------------------------------------------------------------

    int backup(List<String> args) {
        Args a = parse(args, valued("-dir", "-type", "-fname"), Set.of("-force", "-q"));
        String dsn = dsn(a);
        String type = a.get("-type") == null ? "fileFull" : a.get("-type");
        boolean stream = type.equalsIgnoreCase("streamFull");
        if (!stream && a.get("-dir") == null) throw new HourglassCli.UsageException("backup needs -dir DIR (or -type streamFull)");
        // With streamFull the bytes go to standard output; messages go to standard error.
        PrintStream msg = stream ? err : out;
        return withClient(a, c -> {
            BackupRequest.Builder r = BackupRequest.newBuilder().setCredentials(credentials(a)).setDatabase(dsn).setType(type)
                    .setForce(a.has("-force"));
            if (a.get("-dir") != null) r.setDir(Path.of(a.get("-dir")).toAbsolutePath().toString());
            if (a.get("-fname") != null) r.setFname(a.get("-fname"));
            msg.println("Backup started ...");
            Bar bar = new Bar(err, "backup", !a.has("-q"));
            var it = c.admin().backup(r.build());
            while (it.hasNext()) {
                BackupReply reply = it.next();
                if (!reply.getData().isEmpty()) {
                    try {
                        reply.getData().writeTo(rawOut);
                    } catch (IOException e) {
                        err.println("writing the stream: " + e.getMessage());
                        return HourglassCli.FAILED;
                    }
                }
                if (reply.getTotal() > 0) bar.show(reply.getDone(), reply.getTotal());
                if (reply.hasResult()) {
                    bar.end();
                    var res = reply.getResult();
                    msg.printf("Backup complete: %s of %s, %,d bytes in %d file(s), %d ms; it restores the database as of LSN %s.%n",
                            res.getType(), dsn, res.getBytes(), res.getFiles(), res.getMillis(), res.getBackupLsn());
                }
            }
            try {
                rawOut.flush();
            } catch (IOException e) {
                err.println("writing the stream: " + e.getMessage());
                return HourglassCli.FAILED;
            }
            return HourglassCli.OK;
        });
    }

    // ---- restore (from a backup) ---------------------------------------------------------------------

    int restore(List<String> args) {
        Args a = parse(args, valued("-dir", "-fname"), Set.of("-i", "-q"));
        String dsn = dsn(a);
        if ((a.get("-dir") == null) == !a.has("-i")) {
            throw new HourglassCli.UsageException("restore needs -dir DIR or -i (a streamFull backup on standard input)");
        }
        return withClient(a, c -> {
            out.println("Restore started ...");
            CompletableFuture<RestoreBackupReply> done = new CompletableFuture<>();
            var requests = (ClientCallStreamObserver<RestoreBackupRequest>) c.adminAsync().restoreBackup(new StreamObserver<>() {
                @Override
                public void onNext(RestoreBackupReply r) { done.complete(r); }

                @Override
                public void onError(Throwable t) { done.completeExceptionally(t); }

                @Override
                public void onCompleted() { done.complete(null); }
            });
            RestoreBackupRequest.Builder first = RestoreBackupRequest.newBuilder().setCredentials(credentials(a)).setDatabase(dsn);
            if (a.get("-dir") != null) first.setDir(Path.of(a.get("-dir")).toAbsolutePath().toString());
            if (a.get("-fname") != null) first.setFname(a.get("-fname"));
            requests.onNext(first.build());
            if (a.has("-i")) {
                Bar bar = new Bar(err, "sent", !a.has("-q"));
                byte[] buf = new byte[1 << 20];
                long sent = 0;
                try {
                    for (int n; (n = in.readNBytes(buf, 0, buf.length)) > 0 && !done.isDone(); ) {
                        while (!requests.isReady() && !done.isDone()) LockSupport.parkNanos(1_000_000);
                        requests.onNext(RestoreBackupRequest.newBuilder().setData(ByteString.copyFrom(buf, 0, n)).build());
                        sent += n;
                        bar.show(sent, -1);
                    }
                } catch (IOException e) {
                    requests.onError(e);
                    err.println("reading standard input: " + e.getMessage());
                    return HourglassCli.FAILED;
                }
                bar.end();
            }
            requests.onCompleted();
            RestoreBackupReply r;
            try {
                r = done.join();
            } catch (java.util.concurrent.CompletionException e) {
                if (e.getCause() instanceof StatusRuntimeException s) throw s;
                throw e;
            }
            out.printf("Restore complete: %s as of LSN %s (%d backup(s), %,d bytes, %d ms).%n", r.getDatabase(), r.getBackupLsn(),
                    r.getBackups(), r.getBytes(), r.getMillis());
            return HourglassCli.OK;
        });
    }

    // ---- destroy, admin, status ---------------------------------------------------------------------

    int destroy(List<String> args) {
        Args a = parse(args, valued("-timeout"), Set.of("-wait", "-force"));
        String dsn = dsn(a);
        double wait = a.has("-wait") ? (a.get("-timeout") != null ? seconds(a.get("-timeout")) : 60) : 0;
        return withClient(a, c -> {
            c.admin().destroy(DestroyRequest.newBuilder().setCredentials(credentials(a)).setDatabase(dsn).setWaitSeconds(wait)
                    .setForce(a.has("-force")).build());
            out.println("Database " + dsn + " destroyed.");
            return HourglassCli.OK;
        });
    }

    int admin(List<String> args) {
        Args a = parse(args, valued("-ramPolicy", "-ramGrace"),
                Set.of("-ramLoad", "-ramUnload", "-autoreload", "-noautoreload", "-query"));
        String dsn = dsn(a);
        if (a.has("-ramLoad") && a.has("-ramUnload")) throw new HourglassCli.UsageException("-ramLoad or -ramUnload, not both");
        if (a.has("-autoreload") && a.has("-noautoreload")) throw new HourglassCli.UsageException("-autoreload or -noautoreload, not both");
        return withClient(a, c -> {
            RamPolicyRequest.Builder r = RamPolicyRequest.newBuilder().setCredentials(credentials(a)).setDatabase(dsn);
            if (a.get("-ramPolicy") != null) r.setPolicy(a.get("-ramPolicy"));
            if (a.get("-ramGrace") != null) r.setGrace((int) seconds(a.get("-ramGrace")));
            if (a.has("-autoreload")) r.setAutoreload(true);
            if (a.has("-noautoreload")) r.setAutoreload(false);
            if (a.has("-ramLoad")) r.setAction("load");
            if (a.has("-ramUnload")) r.setAction("unload");
            DatabaseState s = c.admin().ramPolicy(r.build());
            out.printf("RAM Residence Policy            : %s%n", s.getRamPolicy());
            if (s.getRamPolicy().equals("inUse")) out.printf("Grace Period                    : %d%n", s.getRamGrace());
            out.printf("Auto-reload                     : %s%n", s.getAutoreload() ? "enabled" : "disabled");
            out.printf("State                           : %s%n", s.getState());
            return HourglassCli.OK;
        });
    }

    int status(List<String> args) {
        Args a = parse(args, valued(), Set.of());
        return withClient(a, c -> {
            StatusReply r = c.admin().status(credentials(a));
            out.println(r.getVersion() + " at " + c.target);
            for (DatabaseState d : r.getDatabasesList()) {
                if (!a.positional().isEmpty() && a.positional().stream().noneMatch(d.getName()::equalsIgnoreCase)) continue;
                out.println("------------------------------------------------------------------------");
                out.printf("Data store %s%n", d.getTemporary() ? d.getName() + " (Temporary: memory only)" : d.getDataStore());
                out.printf("Database %s: %s%n", d.getName(), d.getState());
                out.printf("RAM policy: %s%s, autoreload %s%n", d.getRamPolicy(),
                        d.getRamPolicy().equals("inUse") ? " (grace " + d.getRamGrace() + " s)" : "", d.getAutoreload() ? "on" : "off");
                out.printf("Memory: %,d of %,d bytes%s%n", d.getMemoryUsed(), d.getPermSize(),
                        d.getInvalidImagesCount() > 0 ? " (with " + d.getInvalidImagesCount() + " invalidated image(s) still held by "
                                + d.getInvalidImagesList() + " connection(s))" : "");
                if (!d.getLogDir().isEmpty()) out.printf("Log directory: %s%n", d.getLogDir());
                out.printf("Connections: %d%n", d.getConnectionsCount());
                for (var conn : d.getConnectionsList()) out.printf("  connection %d  user %s%n", conn.getId(), conn.getUser());
                if (d.getCheckpointId() > 0) {
                    out.printf("Checkpoint: %d in %s, redo LSN %s, completed %s%n", d.getCheckpointId(), d.getCheckpointFile(),
                            d.getCheckpointRedoLsn(), Instant.ofEpochMilli(d.getCheckpointEndMillis()));
                }
                if (!d.getLogAppendedLsn().isEmpty()) {
                    out.printf("Log: appended to %s, durable to %s%n", d.getLogAppendedLsn(), d.getLogSyncedLsn());
                    for (LogHold h : d.getLogHoldsList()) out.printf("  hold %-10s at %s  %s%n", h.getType(), h.getLsn(), h.getDescription());
                }
                if (d.hasArchive()) {
                    var ar = d.getArchive();
                    out.printf("Archive: %s to %s, acknowledged to %s, %,d bytes behind%s%n", ar.getState(), ar.getTopic(),
                            ar.getAcknowledgedLsn(), ar.getBehindBytes(),
                            ar.getArchivedCheckpointId() > 0 ? ", checkpoint " + ar.getArchivedCheckpointId() + " archived" : "");
                }
            }
            out.println("------------------------------------------------------------------------");
            return HourglassCli.OK;
        });
    }

    private static double seconds(String s) {
        try {
            double d = Double.parseDouble(s);
            if (d < 0) throw new NumberFormatException();
            return d;
        } catch (NumberFormatException e) {
            throw new HourglassCli.UsageException("not a number of seconds: " + s);
        }
    }

    /** A progress bar on standard error for bytes. */
    static final class Bar {
        private final PrintStream err;
        private final String label;
        private final boolean on;
        private boolean drawn;

        Bar(PrintStream err, String label, boolean on) {
            this.err = err;
            this.label = label;
            this.on = on;
        }

        void show(long done, long total) {
            if (!on) return;
            int width = 30;
            int filled = total <= 0 ? 0 : (int) Math.min(width, width * done / total);
            err.printf("\r%-8s [%s%s] %,.1f%s MB   ", label, "#".repeat(filled), " ".repeat(width - filled), done / 1048576.0,
                    total > 0 ? String.format(" / %,.1f", total / 1048576.0) : "");
            drawn = true;
        }

        void end() {
            if (drawn) err.println();
            drawn = false;
        }
    }
}
