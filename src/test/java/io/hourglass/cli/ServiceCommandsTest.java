package io.hourglass.cli;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code hourglass} utilities against the running test service over gRPC (sql, backup,
 * restore, destroy, admin, status), and the same admin powers over HTTP. Works on the test
 * profile's {@code lifedb}, destroyed and recreated empty before each test.
 */
@QuarkusTest
class ServiceCommandsTest {
    private static final String PW = "test-admin-password";
    private static final Map<String, String> ENV = Map.of("HOURGLASS_ADMIN_PASSWORD", PW, "HOURGLASS_SERVER", "localhost:8081");

    record Run(int code, String out, String err, byte[] raw) {}

    static Run cli(byte[] stdin, String... args) { return cli(stdin, ENV, args); }

    /** {@code hourglass args} in this process, with {@code env} as its environment. */
    static Run cli(byte[] stdin, Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream(), raw = new ByteArrayOutputStream();
        int code = new HourglassCli(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                new ByteArrayInputStream(stdin), raw, env).run(args);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), raw.toByteArray());
    }

    static Run cli(String... args) { return cli(new byte[0], args); }

    static Run ok(String... args) {
        Run r = cli(args);
        assertEquals(0, r.code(), "hourglass " + String.join(" ", args) + ": " + r.out() + r.err());
        return r;
    }

    static Run sql(String script) {
        return cli(script.getBytes(StandardCharsets.UTF_8), "sql", "DSN=lifedb;UID=admin;PWD=" + PW);
    }

    @BeforeEach
    void freshLifedb() {
        ok("destroy", "-force", "lifedb");
        ok("admin", "-ramPolicy", "always", "-autoreload", "-ramLoad", "lifedb"); // created empty
    }

    @Test
    void theShellRunsStandardInputAndPrintsATranscript() {
        Run r = sql("""
                CREATE TABLE t (id INTEGER PRIMARY KEY,
                  name VARCHAR2(20));
                INSERT INTO t VALUES (1, 'one');
                autocommit off
                INSERT INTO t VALUES (2, NULL);
                rollback
                INSERT INTO t VALUES (3, 'three');
                INSERT INTO t VALUES (4, NULL);
                commitdurable
                SELECT * FROM t ORDER BY id;
                SELECT nosuch FROM t;
                exit
                """);
        assertEquals("""
                Connection successful: DSN=lifedb;UID=admin;
                Command> CREATE TABLE t (id INTEGER PRIMARY KEY,
                       >   name VARCHAR2(20));
                Command> INSERT INTO t VALUES (1, 'one');
                1 row inserted.
                Command> autocommit off
                Command> INSERT INTO t VALUES (2, NULL);
                1 row inserted.
                Command> rollback
                Command> INSERT INTO t VALUES (3, 'three');
                1 row inserted.
                Command> INSERT INTO t VALUES (4, NULL);
                1 row inserted.
                Command> commitdurable
                Command> SELECT * FROM t ORDER BY id;
                +----+--------+
                | ID | NAME   |
                +----+--------+
                | 1  | one    |
                | 3  | three  |
                | 4  | <NULL> |
                +----+--------+
                3 rows found.
                Command> SELECT nosuch FROM t;
                TT2211: Referenced column NOSUCH not found
                Command> exit
                Disconnecting...
                Done.
                """, r.out());
        assertEquals(1, r.code(), "a failed statement makes a script's exit code 1");
    }

    /** ttIsql's tables and describe, read from the data dictionary. */
    @Test
    void theShellListsTablesAndDescribesOne() {
        Run r = sql("""
                CREATE TABLE t (id INTEGER PRIMARY KEY, name VARCHAR2(20) DEFAULT 'n', amount NUMBER(8,2));
                tables
                describe t
                CREATE TABLE ev (ts TIMESTAMP NOT NULL) AGING USE ts LIFETIME 3 HOURS OFF;
                describe ev
                CREATE TABLE lr (id INTEGER) AGING LRU;
                describe lr
                CREATE GLOBAL TEMPORARY TABLE gt (id INTEGER) ON COMMIT PRESERVE ROWS;
                describe gt
                desc admin.nosuch
                describe a.b.c
                CREATE PUBLIC SYNONYM pt FOR st;
                CREATE SYNONYM st FOR t;
                describe pt
                CREATE SYNONYM dangling FOR nothing;
                describe dangling
                cachegroups
                monitor
                monitor xact_commits
                monitor no-such
                tablesize
                CALL ttComputeTabSizes('t');
                tablesize admin.t
                dssize
                dssize m
                dssize x
                """);
        assertTrue(r.out().contains("""
                Command> tables
                +-------+------------+
                | OWNER | TABLE_NAME |
                +-------+------------+
                | ADMIN | T          |
                +-------+------------+
                1 row found.
                """), r.out());
        assertTrue(r.out().contains("""
                Command> describe t
                +-------+-------------+------------+-------------+----------------+------------+----------+--------------+
                | OWNER | COLUMN_NAME | DATA_TYPE  | DATA_LENGTH | DATA_PRECISION | DATA_SCALE | NULLABLE | DATA_DEFAULT |
                +-------+-------------+------------+-------------+----------------+------------+----------+--------------+
                | ADMIN | ID          | TT_INTEGER | <NULL>      | <NULL>         | <NULL>     | N        | <NULL>       |
                | ADMIN | NAME        | VARCHAR2   | 20          | <NULL>         | <NULL>     | Y        | 'n'          |
                | ADMIN | AMOUNT      | NUMBER     | <NULL>      | 8              | 2          | Y        | <NULL>       |
                +-------+-------------+------------+-------------+----------------+------------+----------+--------------+
                3 rows found.
                """), r.out());
        assertTrue(r.out().contains("3 rows found.\nCommand> CREATE TABLE ev"), "t has no aging: " + r.out());
        assertTrue(r.out().contains("1 row found.\nAging of ADMIN.EV: USE TS LIFETIME 3 HOURS CYCLE 5 MINUTES OFF\nCommand> CREATE TABLE lr"), r.out());
        assertTrue(r.out().contains("1 row found.\nAging of ADMIN.LR: LRU ON\nCommand> CREATE GLOBAL"), r.out());
        assertTrue(r.out().contains("1 row found.\nGlobal temporary table ADMIN.GT: ON COMMIT PRESERVE ROWS (each session's rows last the session)\n"
                + "Command> desc"), r.out());
        assertTrue(r.out().contains("Command> desc admin.nosuch\nTable ADMIN.NOSUCH not found\nCommand> describe a.b.c"), r.out());
        assertTrue(r.out().contains("Command> describe a.b.c\ndescribe takes a table name: [OWNER.]TABLE"), r.out());
        assertTrue(r.out().contains("""
                Command> describe pt
                Synonym PUBLIC.PT for ADMIN.ST
                Synonym ADMIN.ST for ADMIN.T
                +-------+-------------+------------+-------------+----------------+------------+----------+--------------+
                | OWNER | COLUMN_NAME | DATA_TYPE  | DATA_LENGTH | DATA_PRECISION | DATA_SCALE | NULLABLE | DATA_DEFAULT |
                +-------+-------------+------------+-------------+----------------+------------+----------+--------------+
                | ADMIN | ID          | TT_INTEGER | <NULL>      | <NULL>         | <NULL>     | N        | <NULL>       |
                """), "describe follows synonyms, as ttIsql's: " + r.out());
        assertTrue(r.out().contains("Command> describe dangling\nSynonym ADMIN.DANGLING for ADMIN.NOTHING\nTable ADMIN.NOTHING not found\n"),
                r.out());
        assertTrue(r.out().contains("""
                Command> cachegroups

                0 cache groups found.
                Command> monitor
                """), r.out());
        // ttIsql's monitor: SYS.MONITOR a column a line, or the one column asked for
        assertTrue(r.out().matches("(?s).*Command> monitor\n  TIME_OF_1ST_CONNECT: +[A-Z][a-z]{2} [A-Z][a-z]{2} [ \\d]\\d [0-9:]{8} \\d{4}\n"
                + "  DS_CONNECTS: +\\d+\n.*  REQUIRED_RECOVERY: +0\nCommand> monitor xact_commits\n  XACT_COMMITS: +\\d+\n"
                + "Command> monitor no-such\nmonitor takes a column of SYS.MONITOR\n.*"), r.out());
        // ttIsql's tablesize, after ttComputeTabSizes
        assertTrue(r.out().contains("Command> tablesize\n0 tables found. (CALL ttComputeTabSizes measures them.)\n"), r.out());
        assertTrue(r.out().matches("(?s).*Command> tablesize admin.t\nSizes of ADMIN.T:\n\n  INLINE_ALLOC_BYTES: +0\n  NUM_USED_ROWS: +0\n"
                + "  NUM_FREE_ROWS: +0\n  AVG_ROW_LEN: +<NULL>\n  INDEX_BYTES: +0\n  TOTAL_BYTES: +0\n  LAST_UPDATED: +[0-9-]+ [0-9:.]+\n\n"
                + "1 table found.\n.*"), r.out());
        // ttIsql's dssize, in KB or MB (lifedb: PermSize 32 MB)
        assertTrue(r.out().matches("(?s).*Command> dssize\n  PERM_ALLOCATED_SIZE: +32768\n  PERM_IN_USE_SIZE: +\\d+\n  PERM_IN_USE_HIGH_WATER: +\\d+\n"
                + "  TEMP_ALLOCATED_SIZE: +\\d+\n  TEMP_IN_USE_SIZE: +\\d+\n  TEMP_IN_USE_HIGH_WATER: +\\d+\nCommand> dssize m\n"
                + "  PERM_ALLOCATED_SIZE: +32\n.*Command> dssize x\ndssize takes k, m or g\n.*"), r.out());
    }

    @Test
    void theShellRunsFilesTimesCommandsAndReadsScriptsWithDashF() throws Exception {
        Path script = Files.createTempFile("hg-script", ".sql");
        Files.writeString(script, "CREATE TABLE s (id INTEGER PRIMARY KEY);\nINSERT INTO s VALUES (7);\n");
        Run r = sql("@" + script + "\ntiming on\nSELECT COUNT(*) FROM s;\ntiming off\nSELECT id FROM s;\n");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("Command> CREATE TABLE s (id INTEGER PRIMARY KEY);\nCommand> INSERT INTO s VALUES (7);\n1 row inserted."),
                "@file runs and echoes the file's commands: " + r.out());
        assertTrue(r.out().matches("(?s).*1 row found\\.\nExecution time = [0-9.]+ seconds\\.\nCommand> timing off.*"), r.out());
        assertEquals(1, r.out().split("Execution time", -1).length - 1, "timing off stops it");
        Path f = Files.createTempFile("hg-f", ".sql");
        Files.writeString(f, "SELECT id FROM s;\n");
        Run dashF = cli("sql", "DSN=lifedb;UID=admin;PWD=" + PW, "-f", f.toString());
        assertEquals(0, dashF.code());
        assertTrue(dashF.out().contains("| 7  |"), dashF.out());
        Run bad = cli("sql", "DSN=lifedb;UID=admin;PWD=wrong");
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("TT7001"), bad.err());
    }

    @Test
    void backupDestroyRestoreAndStatusThroughTheCommand() throws Exception {
        Path dir = Files.createTempDirectory("hg-backup");
        assertEquals(0, sql("CREATE TABLE t (id INTEGER PRIMARY KEY);\nINSERT INTO t VALUES (1);\nINSERT INTO t VALUES (2);\n").code());
        Run b = ok("backup", "-dir", dir.toString(), "lifedb");
        assertTrue(b.out().contains("Backup complete: fileFull of lifedb"), b.out());
        Run again = cli("backup", "-dir", dir.toString(), "lifedb");
        assertEquals(1, again.code());
        assertTrue(again.err().contains("TT90031"), again.err());
        Run stream = ok("backup", "-type", "streamFull", "-q", "lifedb");
        assertTrue(stream.raw().length > 64 && new String(stream.raw(), 0, 8, StandardCharsets.US_ASCII).equals("HGBKSTRM"));
        assertEquals(0, sql("INSERT INTO t VALUES (3);\n").code()); // after both backups

        Run refused = cli("restore", "-dir", dir.toString(), "lifedb");
        assertEquals(1, refused.code());
        assertTrue(refused.err().contains("TT90024"), refused.err());
        ok("destroy", "lifedb");
        assertTrue(ok("status", "lifedb").out().contains("Database lifedb: destroyed"));
        Run r = ok("restore", "-dir", dir.toString(), "lifedb");
        assertTrue(r.out().contains("Restore started ...") && r.out().contains("Restore complete"), r.out());
        assertTrue(sql("SELECT COUNT(*) FROM t;\n").out().contains("| 2        |"), "the state at the backup: 2 rows");

        ok("destroy", "-force", "lifedb");
        Run fromStdin = cli(stream.raw(), "restore", "-i", "-q", "lifedb");
        assertEquals(0, fromStdin.code(), fromStdin.err());
        assertTrue(sql("SELECT COUNT(*) FROM t;\n").out().contains("| 2        |"), "streamFull through standard input");

        Run st = ok("status");
        assertTrue(st.out().contains("Database lifedb: loaded") && st.out().contains("RAM policy: always, autoreload on"), st.out());
        assertTrue(st.out().contains("hold Checkpoint"), st.out());
    }

    @Test
    void adminChangesThePolicyLoadsAndUnloads() {
        Run manual = ok("admin", "-ramPolicy", "manual", "lifedb");
        assertTrue(manual.out().contains("RAM Residence Policy            : manual"), manual.out());
        ok("admin", "-ramUnload", "lifedb");
        Run refused = sql("SELECT 1 FROM dual;\n");
        assertEquals(1, refused.code());
        assertTrue(refused.err().contains("707") && refused.err().contains("manually unloaded"), refused.err());
        assertTrue(ok("admin", "-ramLoad", "lifedb").out().contains("State                           : loaded"));
        assertEquals(0, sql("CREATE TABLE u (id INTEGER PRIMARY KEY);\n").code());
        Run unloadWhileLoaded = cli("admin", "-ramPolicy", "always", "-ramUnload", "lifedb");
        assertEquals(1, unloadWhileLoaded.code(), "ramUnload is for the manual policy");
        assertTrue(unloadWhileLoaded.err().contains("TT90034"), unloadWhileLoaded.err());

        Run wrong = cli(new byte[0], "status", "--password", "nope");
        assertEquals(1, wrong.code());
        assertTrue(wrong.err().contains("TT7001"), wrong.err());
        Run away = cli("status", "--server", "localhost:1");
        assertEquals(3, away.code(), away.err());
        assertEquals(2, cli("backup", "lifedb").code(), "no -dir: a usage error");
    }

    @Test
    void theSameAdminPowersOverHttp() {
        given().auth().preemptive().basic("ADMIN", PW).get("/v1/admin/status").then().statusCode(200)
                .body("status.name", hasItem("lifedb"));
        given().auth().preemptive().basic("ADMIN", PW).contentType("application/json").body("{\"policy\":\"inUse\",\"grace\":30}")
                .post("/v1/admin/databases/lifedb/ram").then().statusCode(200)
                .body("status.ramPolicy", equalTo("inUse")).body("status.ramGraceSeconds", equalTo(30));
        byte[] stream = given().auth().preemptive().basic("ADMIN", PW).get("/v1/admin/databases/lifedb/backup-stream")
                .then().statusCode(200).extract().asByteArray();
        assertArrayEquals("HGBKSTRM".getBytes(StandardCharsets.US_ASCII), java.util.Arrays.copyOf(stream, 8));
        given().auth().preemptive().basic("ADMIN", "wrong").delete("/v1/admin/databases/lifedb").then().statusCode(401);
        given().auth().preemptive().basic("ADMIN", PW).delete("/v1/admin/databases/lifedb").then().statusCode(200);
        given().auth().preemptive().basic("ADMIN", PW).contentType("application/octet-stream").body(stream)
                .post("/v1/admin/databases/lifedb/restore-stream").then().statusCode(200).body("database", equalTo("lifedb"));
        given().auth().preemptive().basic("ADMIN", PW).contentType("application/json").body("{\"policy\":\"always\"}")
                .post("/v1/admin/databases/lifedb/ram").then().statusCode(200).body("status.state", equalTo("loaded"));
    }
}
