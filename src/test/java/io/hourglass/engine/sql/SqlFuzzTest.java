package io.hourglass.engine.sql;

import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.HourglassException;
import io.hourglass.engine.Crashable;
import io.hourglass.engine.TestInstances;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.DatabaseConfig;
import io.hourglass.engine.lifecycle.Instance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad SQL gets a numbered error, never a crash: every statement of the conformance suite, in
 * its file's order and state, is first run mutated a few times (a token dropped, doubled,
 * swapped with the next, replaced by another token of the statement or of a pool of keywords,
 * operators and extreme literals, or the statement cut short), and each run must succeed or
 * fail with an HourglassException other than TT90099 (internal error). An exception of another
 * kind (a NullPointerException, a ClassCastException, a StackOverflowError ...) or TT90099 is a
 * bug in the engine, reported with the statement that caused it. Longer hunts: {@code
 * -Dhourglass.fuzz.rounds=R -Dhourglass.fuzz.seed=N -Dhourglass.fuzz.mutations=M}, and {@code
 * -Dhourglass.fuzz.depth=D} changes each statement D times before it runs.
 */
class SqlFuzzTest {
    private static final long SEED = Long.getLong("hourglass.fuzz.seed", 1);
    private static final int MUTATIONS = Integer.getInteger("hourglass.fuzz.mutations", 4);
    /** Changes made to a statement before it runs (each of them one token's, or a cut). */
    private static final int DEPTH = Integer.getInteger("hourglass.fuzz.depth", 1);
    /** Rounds over the whole suite, round r with seed SEED + r. */
    private static final int ROUNDS = Integer.getInteger("hourglass.fuzz.rounds", 1);

    private static final String[] POOL = {
        "SELECT", "FROM", "WHERE", "GROUP", "BY", "ORDER", "HAVING", "(", ")", ",", ".", "*", "+", "-", "/", "||", "=", "<>",
        "<", ">=", "AND", "OR", "NOT", "IN", "EXISTS", "BETWEEN", "LIKE", "IS", "NULL", "DEFAULT", "CASE", "WHEN", "THEN", "ELSE",
        "END", "CAST", "AS", "UNION", "ALL", "MINUS", "JOIN", "LEFT", "FULL", "ON", "OVER", "PARTITION", "ROWS", "RANGE",
        "PRECEDING", "ROWNUM", "LEVEL", "PRIOR", "CONNECT", "START", "WITH", "DISTINCT", "FIRST", "LIMIT", "OFFSET", "INTERVAL",
        "DATE", "TIMESTAMP", "SYSDATE", "USER", "ROWID", "NEXTVAL", "DUAL", "?", "0", "-1", "1e125", "1e-130", "2147483648",
        "99999999999999999999999999999999999999999", "9223372036854775808", "0.5", "''", "'x'", "'2024-02-30'", "'\\uD83D'",
        "N'\\uD800'", "'😀'", "TRUNCATE", "DROP", "TABLE", "INDEX", "INSERT", "UPDATE", "DELETE", "MERGE", "VALUES", "SET",
        "COUNT(*)", "SUM", "LISTAGG", "GROUPING", "ROLLUP", "CUBE", "SYS_CONTEXT", "TIMESTAMPADD", "SQL_TSI_DAY", "UNISTR", "TT_HASH",
        "NUMTODSINTERVAL", "CHR", "SUBSTR", "LPAD", "TO_DATE", "TO_CHAR", "TO_NUMBER", "DECODE", "NVL", "COALESCE", "ROUND"};

    @Test
    void mutatedStatementsFailWithNumberedErrors() {
        Set<String> bugs = new LinkedHashSet<>();
        int[] runs = {0};
        for (int round = 0; round < ROUNDS; round++) {
            Random rnd = new Random(SEED + round);
            for (Path f : ConformanceFile.all()) runFile(ConformanceFile.read(f), rnd, bugs, runs);
        }
        assertTrue(runs[0] > 1_000, "only " + runs[0] + " mutated statements ran");
        assertTrue(bugs.isEmpty(), bugs.size() + " statements of " + runs[0] + " crashed the engine (seeds " + SEED + " to " + (SEED + ROUNDS - 1) + "):\n"
                + String.join("\n", bugs.stream().limit(30).toList()));
    }

    /**
     * The same mutated statements on real files, every commit durable, a fuzzy checkpoint now and
     * then; then the process killed and the database recovered from its checkpoint and log: what it holds (every table's rows,
     * the schema, users and their profiles and locks, views, sequences, synonyms, aging policies and comments as the dictionary
     * shows them) must be what the dead
     * one's committed state was. A change that replays otherwise than it was made, or a log that
     * does not recover at all, fails here.
     */
    @Test
    void mutatedChangesRecoverAsTheyWere(@TempDir Path dir) {
        Set<String> bugs = new LinkedHashSet<>();
        int[] runs = {0};
        Random rnd = new Random(SEED - 1);
        int n = 0;
        for (Path f : ConformanceFile.all()) {
            DatabaseConfig cfg = DatabaseConfig.defaults("FUZZ", dir.resolve("db" + n++).resolve("fuzz").toString());
            Crashable dying = Crashable.open(cfg);
            String name = f.getFileName().toString();
            List<String> before;
            try {
                runStatements(ConformanceFile.read(f), dying.instance(), true, rnd, bugs, runs);
                before = state(dying.instance());
            } finally {
                dying.kill();
            }
            try (Instance again = new Instance(TestInstances.ADMIN_PASSWORD, List.of(cfg))) {
                List<String> rejected = again.database("FUZZ").recovery().rejected();
                if (!rejected.isEmpty()) bugs.add(name + ": a checkpoint file did not load (recovery fell back): " + rejected);
                List<String> after = state(again);
                if (!before.equals(after)) {
                    List<String> lost = new ArrayList<>(before), made = new ArrayList<>(after);
                    lost.removeAll(after);
                    made.removeAll(before);
                    bugs.add(name + ": recovered otherwise; gone: " + lost.stream().limit(5).toList() + "; new: " + made.stream().limit(5).toList());
                }
            } catch (RuntimeException e) {
                bugs.add(name + ": recovery failed: " + e);
            }
        }
        assertTrue(runs[0] > 1_000, "only " + runs[0] + " mutated statements ran");
        assertTrue(bugs.isEmpty(), bugs.size() + " failures over " + runs[0] + " mutated statements (seed " + (SEED - 1) + "):\n"
                + String.join("\n", bugs.stream().limit(30).toList()));
    }

    /** What a database holds, as the dictionary and its tables' rows show it to ADMIN, in lines in a stable order. */
    private static List<String> state(Instance inst) {
        try (Connection c = inst.connect("FUZZ", "admin", TestInstances.ADMIN_PASSWORD)) {
            List<String> out = new ArrayList<>();
            for (String view : List.of("ALL_USERS", "ALL_TAB_COLUMNS", "ALL_INDEXES", "ALL_IND_COLUMNS", "ALL_CONSTRAINTS",
                    "ALL_CONS_COLUMNS", "ALL_VIEWS", "ALL_TAB_AGING", "ALL_TAB_COMMENTS", "ALL_COL_COMMENTS", "ALL_SYNONYMS")) {
                out.addAll(lines(view, c.execute("SELECT * FROM sys." + view)));
            }
            // profiles, and each user's profile, ACCOUNT LOCK and password expiry (a lock by failed logins is kept in memory only, by design)
            out.addAll(lines("DBA_PROFILES", c.execute("SELECT * FROM sys.dba_profiles")));
            out.addAll(lines("DBA_USERS", c.execute("SELECT username, profile, CASE WHEN account_status LIKE '%LOCKED' THEN 'LOCKED' ELSE 'OPEN' END,"
                    + " CASE WHEN account_status LIKE '%LOCKED' THEN lock_date END, expiry_date FROM sys.dba_users")));
            // (a sequence's LAST_NUMBER moves past its cache at a restart, by design)
            out.addAll(lines("ALL_SEQUENCES", c.execute("SELECT sequence_owner, sequence_name, min_value, max_value, increment_by,"
                    + " cycle_flag, cache_size FROM sys.all_sequences")));
            for (Object[] t : c.execute("SELECT owner, table_name FROM sys.all_tables").rows()) {
                String q = "\"" + t[0] + "\".\"" + t[1] + "\"";
                out.addAll(lines(q, c.execute("SELECT * FROM " + q)));
            }
            return out;
        }
    }

    private static List<String> lines(String label, StatementResult r) {
        List<String> out = new ArrayList<>();
        for (Object[] row : r.rows()) {
            StringBuilder sb = new StringBuilder(label);
            for (Object v : row) sb.append('|').append(io.hourglass.engine.catalog.Values.toText(v));
            out.add(sb.toString());
        }
        out.sort(null);
        return out;
    }

    private static void runFile(ConformanceFile file, Random rnd, Set<String> bugs, int[] runs) {
        try (Instance inst = TestInstances.one("FUZZ")) {
            runStatements(file, inst, false, rnd, bugs, runs);
        }
    }

    /** The file's statements, each after its mutations, on connections of {@code inst} (whose commits are durable if {@code durable}). */
    private static void runStatements(ConformanceFile file, Instance inst, boolean durable, Random rnd, Set<String> bugs, int[] runs) {
        Map<String, Connection> conns = new HashMap<>();
        Connection cur = connect(inst, "admin", TestInstances.ADMIN_PASSWORD, durable);
        conns.put("default", cur);
        for (ConformanceFile.Record rec : file.records()) {
            String[] head = rec.head();
            if (head[0].equals("connect")) {
                Connection c = conns.get(head[1]);
                if (c == null) {
                    if (head.length < 4) continue; // (its first connect failed)
                    try {
                        c = connect(inst, head[2], head[3], durable);
                        conns.put(head[1], c);
                    } catch (HourglassException e) {
                        continue; // (a mutation changed the user: go on as the one before)
                    }
                }
                cur = c;
                continue;
            }
            if (head[0].equals("autocommit")) {
                cur.setAutocommit(head[1].equals("on"));
                continue;
            }
            String where = file.path().getFileName() + ":" + rec.line() + ": ";
            for (int k = 0; k < MUTATIONS; k++) {
                String mutated = rec.sql();
                for (int d = 0; d < DEPTH && mutated != null; d++) mutated = mutate(mutated, rnd);
                if (mutated == null) continue;
                runs[0]++;
                run(cur, mutated, where, bugs);
            }
            run(cur, rec.sql(), where, bugs);
            // on files, a fuzzy checkpoint now and then: recovery is the image and the log after it
            if (durable && rnd.nextInt(20) == 0) run(conns.get("default"), "CALL ttCkpt()", where + "(checkpoint) ", bugs);
        }
        for (Connection c : conns.values()) run(c, "SELECT 1 FROM dual", file.path().getFileName() + " afterwards: ", bugs);
    }

    private static Connection connect(Instance inst, String user, String password, boolean durable) {
        Connection c = inst.connect("FUZZ", user, password);
        c.setDurableCommits(durable);
        c.setLockWait(0.05);            // (a mutated statement may wait for another connection's locks)
        c.setQueryTimeoutMillis(5_000); // (or join every row with every row)
        return c;
    }

    private static void run(Connection c, String sql, String where, Set<String> bugs) {
        try {
            c.execute(sql);
        } catch (HourglassException e) {
            if (e.code() == ErrorCode.INTERNAL) bugs.add(where + e.getMessage() + "\n    " + sql.replace('\n', ' '));
        } catch (RuntimeException | StackOverflowError e) {
            StackTraceElement at = e.getStackTrace().length > 0 ? e.getStackTrace()[0] : null;
            bugs.add(where + e + " at " + at + "\n    " + sql.replace('\n', ' '));
        }
    }

    /** {@code sql} with one random change of its tokens, or null if it has none to change. */
    static String mutate(String sql, Random rnd) {
        List<Lexer.Token> tokens;
        try {
            tokens = Lexer.lex(sql);
        } catch (HourglassException e) {
            return null;
        }
        int n = tokens.size() - 1; // (the last is EOF)
        if (n < 1) return null;
        // each token's text as written: from its start to the next token's
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < n; i++) parts.add(sql.substring(tokens.get(i).pos(), tokens.get(i + 1).pos()));
        int i = rnd.nextInt(n);
        switch (rnd.nextInt(6)) {
            case 0 -> parts.remove(i);
            case 1 -> parts.add(i, parts.get(i));
            case 2 -> {
                if (i + 1 < n) {
                    String t = parts.get(i);
                    parts.set(i, parts.get(i + 1));
                    parts.set(i + 1, t);
                }
            }
            case 3 -> parts.set(i, parts.get(rnd.nextInt(n)));
            case 4 -> parts.set(i, POOL[rnd.nextInt(POOL.length)] + " ");
            default -> parts.subList(i, n).clear();
        }
        String out = String.join("", parts).strip();
        return out.isEmpty() || out.equals(sql.strip()) ? null : out;
    }
}
