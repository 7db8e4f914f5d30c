package io.hourglass.cli;

import io.grpc.stub.StreamObserver;
import io.hourglass.api.grpc.v1.Commit;
import io.hourglass.api.grpc.v1.Connect;
import io.hourglass.api.grpc.v1.Rollback;
import io.hourglass.api.grpc.v1.Row;
import io.hourglass.api.grpc.v1.SessionRequest;
import io.hourglass.api.grpc.v1.SessionResponse;
import io.hourglass.api.grpc.v1.SetAutocommit;
import io.hourglass.api.grpc.v1.SqlGrpc;
import io.hourglass.api.grpc.v1.Statement;
import io.hourglass.api.grpc.v1.Value;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@code hourglass sql}: an interactive SQL shell in the spirit of ttIsql, over one gRPC SQL
 * session. A statement ends with a semicolon and may span lines; shell commands (autocommit,
 * commit, rollback, commitdurable, timing, tables, describe, @file, help, exit) take one line. Results print as
 * tables. Read from a file ({@code -f}) or a pipe, every command is echoed after the prompt, so
 * the output reads as a transcript.
 */
final class SqlShell {
    /** Where lines come from: the terminal (with line editing and history) or a reader. */
    interface Lines {
        /** The next line, or null at the end. */
        String read(String prompt) throws IOException;
    }

    private final PrintStream out;
    private final Session session;
    private final boolean echo;
    private boolean autocommit = true;
    private boolean timing;
    private int failures;

    SqlShell(PrintStream out, Session session, boolean echo) {
        this.out = out;
        this.session = session;
        this.echo = echo;
    }

    /** Runs until exit or the end of input; returns the number of commands that failed. */
    int run(Lines in) throws IOException {
        StringBuilder stmt = new StringBuilder();
        while (true) {
            String prompt = stmt.isEmpty() ? "Command> " : "       > ";
            String line = in.read(prompt);
            if (line == null) break;
            if (echo) out.println(prompt + line);
            String t = line.strip();
            if (stmt.isEmpty()) {
                if (t.isEmpty() || t.startsWith("--")) continue;
                String cmd = t.endsWith(";") ? t.substring(0, t.length() - 1).strip() : t;
                Boolean handled = command(cmd);
                if (handled == null) break; // exit
                if (handled) continue;
            }
            stmt.append(stmt.isEmpty() ? "" : "\n").append(line);
            if (t.endsWith(";")) {
                String sql = stmt.toString().strip();
                stmt.setLength(0);
                execute(sql.substring(0, sql.length() - 1));
            }
        }
        if (!stmt.isEmpty() && !stmt.toString().isBlank()) execute(stmt.toString().strip()); // a last statement without ';'
        return failures;
    }

    /** A shell command: true if handled, false if it is SQL, null for exit. */
    private Boolean command(String cmd) throws IOException {
        String[] w = cmd.split("\\s+");
        String first = w[0].toLowerCase(Locale.ROOT);
        if (first.startsWith("@")) {
            String file = cmd.substring(1).strip();
            runFile(Path.of(file));
            return true;
        }
        switch (first) {
            case "exit", "quit", "bye" -> {
                return null;
            }
            case "help" -> {
                out.println(HELP);
                return true;
            }
            case "autocommit" -> {
                Boolean on = onOff(w);
                if (on == null) return true;
                if (ok(session.call(SessionRequest.newBuilder().setSetAutocommit(SetAutocommit.newBuilder().setAutocommit(on))))) {
                    autocommit = on;
                }
                return true;
            }
            case "timing" -> {
                Boolean on = onOff(w);
                if (on != null) timing = on;
                return true;
            }
            case "commit", "commitdurable" -> {
                if (w.length > 1) return false; // COMMIT WORK and the like: SQL
                long t0 = System.nanoTime();
                ok(session.call(SessionRequest.newBuilder().setCommit(Commit.newBuilder().setDurable(first.equals("commitdurable")))));
                time(t0);
                return true;
            }
            case "rollback" -> {
                if (w.length > 1) return false;
                ok(session.call(SessionRequest.newBuilder().setRollback(Rollback.getDefaultInstance())));
                return true;
            }
            case "tables" -> {
                if (w.length > 1) return false;
                execute("SELECT owner, table_name FROM sys.all_tables ORDER BY owner, table_name");
                return true;
            }
            case "tablesize" -> {
                if (w.length > 2) return false;
                tableSize(w.length == 2 ? w[1] : null);
                return true;
            }
            case "dssize" -> {
                if (w.length > 2) return false;
                dsSize(w.length == 2 ? w[1].toLowerCase(Locale.ROOT) : "k");
                return true;
            }
            case "monitor" -> {
                if (w.length > 2) return false;
                monitor(w.length == 2 ? w[1] : null);
                return true;
            }
            case "cachegroups", "cachegroup" -> {
                if (w.length > 2) return false;
                cacheGroups(w.length == 2 ? w[1] : null);
                return true;
            }
            case "describe", "desc" -> {
                if (w.length != 2) return false;
                String[] name = w[1].toUpperCase(Locale.ROOT).split("\\.");
                for (String part : name) {
                    if (!part.matches("[A-Z_][A-Z0-9_$#]*") || name.length > 2) {
                        out.println("describe takes a table name: [OWNER.]TABLE");
                        failures++;
                        return true;
                    }
                }
                if (!describe(name, 0)) {
                    // ttIsql's words; the dictionary shows only what the user may see
                    out.println("Table " + String.join(".", name) + " not found");
                    failures++;
                }
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    /**
     * describe's columns and aging policy of the table or view {@code name} ([owner, ]table); of a
     * synonym's object, the synonym named first, as ttIsql does. False if there is none.
     */
    private boolean describe(String[] name, int depth) {
        String table = name[name.length - 1], owner = name.length > 1 ? " AND owner = '" + name[0] + "'" : "";
        int found = execute("SELECT owner, column_name, data_type, data_length, data_precision, data_scale, nullable, data_default"
                + " FROM sys.all_tab_columns WHERE table_name = '" + table + "'" + owner + " ORDER BY owner, column_id", false);
        if (found == 0) {
            // a synonym: the user's own (or the owner's written), else a public one, as a name resolves
            Result synonym = depth > 8 ? null : run("SELECT owner, table_owner, table_name FROM sys.all_synonyms WHERE synonym_name = '" + table + "'"
                    + (name.length > 1 ? owner : " AND owner IN (USER, 'PUBLIC')") + " ORDER BY CASE owner WHEN 'PUBLIC' THEN 1 ELSE 0 END");
            if (synonym == null || synonym.rows().isEmpty()) return false;
            List<String> y = synonym.rows().getFirst();
            out.println("Synonym " + y.get(0) + "." + table + " for " + y.get(1) + "." + y.get(2));
            if (!describe(new String[] {y.get(1), y.get(2)}, depth + 1)) {
                out.println("Table " + y.get(1) + "." + y.get(2) + " not found");
                failures++;
            }
            return true;
        }
        if (found < 0) return true; // (the error printed)
        // a global temporary table says so, and how long its rows last
        Result temporary = run("SELECT owner, duration FROM sys.all_tables WHERE table_name = '" + table + "'" + owner
                + " AND temporary = 'Y' ORDER BY owner");
        if (temporary != null) {
            for (List<String> t : temporary.rows()) {
                out.println("Global temporary table " + t.get(0) + "." + table + ": ON COMMIT "
                        + ("SYS$SESSION".equals(t.get(1)) ? "PRESERVE ROWS (each session's rows last the session)"
                        : "DELETE ROWS (each session's rows last its transaction)"));
            }
        }
        // and its aging policy, as ttIsql's describe ends with it
        Result aging = run("SELECT owner, aging_column, lifetime, lifetime_unit, cycle, cycle_unit, aging_state, aging_type"
                + " FROM sys.all_tab_aging WHERE table_name = '" + table + "'" + owner + " ORDER BY owner");
        if (aging != null) {
            for (List<String> a : aging.rows()) {
                out.println("Aging of " + a.get(0) + "." + table + ": " + ("LRU".equals(a.get(7)) ? "LRU " + a.get(6)
                        : "USE " + a.get(1) + " LIFETIME " + a.get(2) + " " + a.get(3) + "S CYCLE " + a.get(4) + " " + a.get(5) + "S " + a.get(6)));
            }
        }
        // and the cache group it belongs to (the cachegroups command tells the rest)
        Result cached = run("SELECT table_owner, cgowner, cgname, tblnum, parent_table, table_type FROM sys.cache_group_tables"
                + " WHERE table_name = '" + table + "'" + (name.length > 1 ? " AND table_owner = '" + name[0] + "'" : "") + " ORDER BY table_owner");
        if (cached != null) {
            for (List<String> g : cached.rows()) {
                out.println("Cache group of " + g.get(0) + "." + table + ": " + g.get(1) + "." + g.get(2) + ", "
                        + ("1".equals(g.get(3)) ? "its root table" : "a child of " + g.get(0) + "." + g.get(4)) + " (" + words(g.get(5)) + ")");
            }
        }
        return true;
    }

    private Boolean onOff(String[] w) {
        if (w.length == 2) {
            switch (w[1].toLowerCase(Locale.ROOT)) {
                case "on", "1" -> { return true; }
                case "off", "0" -> { return false; }
                default -> { }
            }
        }
        out.println("Expected: " + w[0] + " on|off");
        failures++;
        return null;
    }

    private void runFile(Path file) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            out.println("Cannot read " + file + ": " + e.getMessage());
            failures++;
            return;
        }
        java.util.Iterator<String> it = lines.iterator();
        failures += new SqlShell(out, session, true).withState(autocommit, timing).run(p -> it.hasNext() ? it.next() : null);
    }

    private SqlShell withState(boolean autocommit, boolean timing) {
        this.autocommit = autocommit;
        this.timing = timing;
        return this;
    }

    private void execute(String sql) { execute(sql, true); }

    /** Runs {@code sql} and prints its result (an empty one only if {@code printEmpty}); returns its row count, -1 if it failed. */
    private int execute(String sql, boolean printEmpty) {
        long t0 = System.nanoTime();
        Result r = run(sql);
        if (r == null) return -1;
        if (r.columns() != null && (printEmpty || !r.rows().isEmpty())) table(r.columns(), r.rows());
        time(t0);
        return r.rows().size();
    }

    /** A statement's result as text: its columns (null if it has none) and rows. */
    private record Result(List<String> columns, List<List<String>> rows) {}

    /** Runs {@code sql}, printing what ttIsql says of a change ("2 rows inserted."); null if it failed (the error printed). */
    private Result run(String sql) {
        List<SessionResponse> rs = session.call(SessionRequest.newBuilder().setExecute(Statement.newBuilder().setSql(sql)));
        if (!ok(rs)) return null;
        List<String> columns = null;
        List<List<String>> rows = new ArrayList<>();
        for (SessionResponse r : rs) {
            switch (r.getKindCase()) {
                case HEADER -> {
                    columns = new ArrayList<>();
                    for (var c : r.getHeader().getColumnsList()) columns.add(c.getName());
                }
                case ROWS -> {
                    for (Row row : r.getRows().getRowsList()) {
                        List<String> cells = new ArrayList<>();
                        for (Value v : row.getValuesList()) cells.add(text(v));
                        rows.add(cells);
                    }
                }
                case UPDATE_COUNT -> {
                    long n = r.getUpdateCount().getCount();
                    String said = affected(sql, n);
                    if (said != null) out.println(said);
                }
                default -> { }
            }
        }
        return new Result(columns, rows);
    }

    /** ttIsql's tablesize: what ttComputeTabSizes found of each table (or of one), a column a line. */
    private void tableSize(String table) {
        String[] name = table == null ? new String[0] : table.toUpperCase(Locale.ROOT).split("\\.");
        for (String part : name) {
            if (!part.matches("[A-Z_][A-Z0-9_$#]*") || name.length > 2) {
                out.println("tablesize takes a table name: [OWNER.]TABLE");
                failures++;
                return;
            }
        }
        String where = name.length == 0 ? "" : " WHERE table_name = '" + name[name.length - 1] + "'"
                + (name.length > 1 ? " AND owner = '" + name[0] + "'" : "");
        Result r = run("SELECT owner, table_name, inline_alloc_bytes, num_used_rows, num_free_rows, avg_row_len, index_bytes, total_bytes,"
                + " last_updated FROM sys.all_tab_sizes" + where + " ORDER BY owner, table_name");
        if (r == null) return;
        for (List<String> row : r.rows()) {
            out.println("Sizes of " + row.get(0) + "." + row.get(1) + ":");
            out.println();
            vertical(r.columns().subList(2, r.columns().size()), row.subList(2, row.size()));
            out.println();
        }
        int n = r.rows().size();
        out.println(n + (n == 1 ? " table found." : " tables found.") + (n == 0 ? " (CALL ttComputeTabSizes measures them.)" : ""));
    }

    private void vertical(List<String> columns, List<String> values) {
        for (int i = 0; i < columns.size(); i++) out.printf("  %-26s %s%n", columns.get(i) + ":", values.get(i));
    }

    /** ttIsql's dssize: PermSize and TempSize, allocated, in use and the high water mark, in KB (k), MB (m) or GB (g). */
    private void dsSize(String unit) {
        int shift = switch (unit) {
            case "k" -> 0;
            case "m" -> 10;
            case "g" -> 20;
            default -> -1;
        };
        if (shift < 0) {
            out.println("dssize takes k, m or g");
            failures++;
            return;
        }
        StringBuilder sql = new StringBuilder("SELECT ");
        String[] columns = {"PERM_ALLOCATED_SIZE", "PERM_IN_USE_SIZE", "PERM_IN_USE_HIGH_WATER", "TEMP_ALLOCATED_SIZE", "TEMP_IN_USE_SIZE",
                "TEMP_IN_USE_HIGH_WATER"};
        for (String c : columns) sql.append(c.equals(columns[0]) ? "" : ", ").append("TRUNC(").append(c).append(" / ").append(1L << shift)
                .append(") AS ").append(c);
        Result r = run(sql.append(" FROM sys.monitor").toString());
        if (r != null) for (List<String> row : r.rows()) vertical(r.columns(), row);
    }

    /** ttIsql's monitor: SYS.MONITOR (or one column of it), a column a line. */
    private void monitor(String column) {
        if (column != null && !column.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            out.println("monitor takes a column of SYS.MONITOR");
            failures++;
            return;
        }
        Result r = run("SELECT " + (column == null ? "*" : column) + " FROM sys.monitor");
        if (r == null) return;
        for (List<String> row : r.rows()) vertical(r.columns(), row);
    }

    /**
     * ttIsql's cachegroups: each cache group (or the one named, [owner.]name) with its type,
     * autorefresh and aging, then its tables, the root first, each with its WHERE clause and type.
     */
    private void cacheGroups(String name) {
        String[] n = name == null ? null : name.toUpperCase(Locale.ROOT).split("\\.");
        if (n != null && (n.length > 2 || !java.util.Arrays.stream(n).allMatch(p -> p.matches("[A-Z_][A-Z0-9_$#]*")))) {
            out.println("cachegroups takes a cache group's name: [OWNER.]NAME");
            failures++;
            return;
        }
        Result r = run("SELECT g.cgowner, g.cgname, g.cgtype, g.dynamic, g.autorefresh_mode, g.autorefresh_state, g.autorefresh_interval,"
                + " g.restored, t.tblnum, t.table_owner, t.table_name, t.where_clause, t.table_type, a.aging_type, a.aging_state"
                + " FROM sys.cache_group g JOIN sys.cache_group_tables t ON t.cgowner = g.cgowner AND t.cgname = g.cgname"
                + " LEFT JOIN sys.all_tab_aging a ON a.owner = t.table_owner AND a.table_name = t.table_name"
                + (n == null ? "" : " WHERE g.cgname = '" + n[n.length - 1] + "'" + (n.length == 2 ? " AND g.cgowner = '" + n[0] + "'" : ""))
                + " ORDER BY g.cgowner, g.cgname, t.tblnum");
        if (r == null) return;
        int groups = 0;
        for (List<String> row : r.rows()) {
            if (row.get(8).equals("1")) {
                groups++;
                out.println();
                out.println("Cache Group " + row.get(0) + "." + row.get(1) + ":");
                out.println();
                String type = switch (row.get(2)) {
                    case "READONLY" -> "Read Only";
                    case "USERMANAGED" -> "User Managed";
                    default -> words(row.get(2));
                };
                out.println("  Cache Group Type: " + type + (row.get(3).equals("Y") ? " (Dynamic)" : ""));
                boolean autorefresh = !row.get(4).equals("<NULL>");
                out.println("  Autorefresh: " + (autorefresh ? "Yes" : "No"));
                if (autorefresh) {
                    out.println("  Autorefresh Mode: " + words(row.get(4)));
                    out.println("  Autorefresh State: " + words(row.get(5)));
                    out.println("  Autorefresh Interval: " + interval(Long.parseLong(row.get(6))));
                }
                out.println("  Aging: " + (row.get(13).equals("<NULL>") ? "No aging defined" : (row.get(13).equals("LRU") ? "LRU" : words(row.get(13)))
                        + " " + row.get(14).toLowerCase(Locale.ROOT)));
                if (row.get(7).equals("Y")) out.println("  Restored: Yes (not refreshed: drop and create it again to cache anew)");
                out.println();
                out.println("  Root Table: " + row.get(9) + "." + row.get(10));
            } else {
                out.println();
                out.println("  Child Table: " + row.get(9) + "." + row.get(10));
            }
            out.println("  Where Clause: " + (row.get(11).equals("<NULL>") ? "(none)" : row.get(11)));
            out.println("  Table Type: " + words(row.get(12)));
        }
        out.println();
        out.println(groups + (groups == 1 ? " cache group found." : " cache groups found."));
    }

    /** READ ONLY as ttIsql writes it: Read Only. */
    private static String words(String upper) {
        StringBuilder b = new StringBuilder();
        for (String w : upper.toLowerCase(Locale.ROOT).split(" ")) {
            if (!b.isEmpty()) b.append(' ');
            b.append(w.isEmpty() ? w : Character.toUpperCase(w.charAt(0)) + w.substring(1));
        }
        return b.toString();
    }

    /** An autorefresh interval as CREATE CACHE GROUP would write it: 5 Minutes, 30 Seconds, 100 Milliseconds. */
    private static String interval(long ms) {
        if (ms % 60_000 == 0) return ms / 60_000 + (ms == 60_000 ? " Minute" : " Minutes");
        if (ms % 1_000 == 0) return ms / 1_000 + (ms == 1_000 ? " Second" : " Seconds");
        return ms + (ms == 1 ? " Millisecond" : " Milliseconds");
    }

    private void time(long t0) {
        if (timing) out.printf("Execution time = %.6f seconds.%n", (System.nanoTime() - t0) / 1e9);
    }

    /** What ttIsql says after a statement that changed {@code n} rows: "2 rows inserted.", "2 cache instances affected."; null: nothing. */
    static String affected(String sql, long n) {
        if (n < 0) return null;
        String first = sql.strip().split("\\s+", 2)[0].toUpperCase(Locale.ROOT);
        String verb = switch (first) {
            case "INSERT", "CREATE" -> "inserted"; // (CREATE TABLE ... AS SELECT: the one CREATE with a count)
            case "UPDATE" -> "updated";
            case "DELETE" -> "deleted";
            case "LOAD", "REFRESH", "UNLOAD" -> "affected";
            default -> null;
        };
        if (verb == null) return null;
        String what = verb.equals("affected") ? (n == 1 ? " cache instance " : " cache instances ") : (n == 1 ? " row " : " rows ");
        return n + what + verb + ".";
    }

    private void table(List<String> columns, List<List<String>> rows) {
        int[] width = new int[columns.size()];
        for (int i = 0; i < width.length; i++) width[i] = columns.get(i).length();
        for (List<String> r : rows) for (int i = 0; i < width.length; i++) width[i] = Math.max(width[i], r.get(i).length());
        StringBuilder sep = new StringBuilder();
        for (int w : width) sep.append('+').append("-".repeat(w + 2));
        sep.append('+');
        out.println(sep);
        out.println(line(columns, width));
        out.println(sep);
        for (List<String> r : rows) out.println(line(r, width));
        out.println(sep);
        out.println(rows.size() + (rows.size() == 1 ? " row found." : " rows found."));
    }

    private static String line(List<String> cells, int[] width) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < width.length; i++) b.append("| ").append(String.format("%-" + width[i] + "s", cells.get(i))).append(' ');
        return b.append('|').toString();
    }

    private static String text(Value v) {
        return switch (v.getKindCase()) {
            case NULL_VALUE, KIND_NOT_SET -> "<NULL>";
            case INT_VALUE -> Long.toString(v.getIntValue());
            case DOUBLE_VALUE -> Double.toString(v.getDoubleValue());
            case DECIMAL_VALUE -> v.getDecimalValue();
            case STRING_VALUE -> v.getStringValue();
            case BYTES_VALUE -> java.util.HexFormat.of().formatHex(v.getBytesValue().toByteArray());
            case DATETIME_VALUE -> v.getDatetimeValue();
            case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
        };
    }

    /** True when the responses carry no error; an error is printed and counted. */
    private boolean ok(List<SessionResponse> rs) {
        for (SessionResponse r : rs) {
            if (r.hasError()) {
                out.println(r.getError().getMessage());
                failures++;
                return false;
            }
        }
        return true;
    }

    static final String HELP = """
            Statements end with ';' and may span lines. Commands:
              autocommit on|off     commit each statement (default on)
              commit | rollback     end the transaction
              commitdurable         commit, returning once the commit is durable
              timing on|off         print each command's time
              tables                the tables you can see
              cachegroups [[owner.]name]
                                    the cache groups of the database (or the one named): type,
                                    autorefresh, aging, and each table's WHERE clause and type
              monitor [COLUMN]      SYS.MONITOR, the database's counters, a line each
              dssize [k|m|g]        PermSize and TempSize: allocated, in use, high water
              tablesize [[OWNER.]T] what CALL ttComputeTabSizes found of each table
              describe [OWNER.]T    the columns of table or view T (of a synonym: its object's), its aging, its cache group
              @FILE                 run the commands in FILE
              help | exit""";

    // ---- the gRPC session -------------------------------------------------------------------------

    /** One SQL session over the bidirectional {@code Sql/Session} stream; one request at a time. */
    static final class Session implements AutoCloseable {
        private final BlockingQueue<Object> responses = new LinkedBlockingQueue<>();
        private final StreamObserver<SessionRequest> requests;
        private long nextId = 1;

        Session(ServiceClient client) {
            requests = SqlGrpc.newStub(client.channel).session(new StreamObserver<>() {
                @Override
                public void onNext(SessionResponse r) { responses.add(r); }

                @Override
                public void onError(Throwable t) { responses.add(t); }

                @Override
                public void onCompleted() { responses.add(new IllegalStateException("the service ended the session")); }
            });
        }

        /** Connects; returns the error message, or null when connected. */
        String connect(String connectionString) {
            List<SessionResponse> rs = call(SessionRequest.newBuilder().setConnect(Connect.newBuilder().setConnectionString(connectionString)));
            return rs.getLast().hasError() ? rs.getLast().getError().getMessage() : null;
        }

        /** Sends one request and collects its responses up to the last (done, error, last rows, update count). */
        List<SessionResponse> call(SessionRequest.Builder req) {
            long id = nextId++;
            requests.onNext(req.setRequestId(id).build());
            List<SessionResponse> out = new ArrayList<>();
            while (true) {
                Object o;
                try {
                    o = responses.poll(10, TimeUnit.MINUTES);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted");
                }
                if (o == null) throw new IllegalStateException("no answer from the service in 10 minutes");
                if (o instanceof Throwable t) {
                    if (t instanceof io.grpc.StatusRuntimeException sre) throw sre;
                    throw new IllegalStateException(t.getMessage(), t);
                }
                SessionResponse r = (SessionResponse) o;
                if (r.getRequestId() != id) continue;
                out.add(r);
                boolean last = switch (r.getKindCase()) {
                    case ROWS -> r.getRows().getLast();
                    case HEADER -> false;
                    default -> true;
                };
                if (last) return out;
            }
        }

        @Override
        public void close() { requests.onCompleted(); }
    }

    /** Lines from a reader (a file or a pipe). */
    static Lines lines(BufferedReader r) { return p -> r.readLine(); }
}
