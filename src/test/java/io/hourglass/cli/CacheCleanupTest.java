package io.hourglass.cli;

import io.hourglass.cache.PostgresBackend;
import io.hourglass.engine.TestInstances;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.DatabaseConfig;
import io.hourglass.engine.lifecycle.Instance;
import io.hourglass.engine.spi.FileStorageIo;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code hourglass cache-cleanup} against a real PostgreSQL: the objects two databases' cache
 * groups left behind (an incremental READONLY group's change log, function and triggers, an
 * ASYNCHRONOUS WRITETHROUGH group's bookmark, and a trigger pair whose change log was dropped by
 * hand) are listed with their owners, and only the ones asked for are removed.
 */
class CacheCleanupTest {
    private static EmbeddedPostgres pg;
    private static String url;

    @TempDir
    Path dir;

    @BeforeAll
    static void startPostgres() throws Exception {
        pg = EmbeddedPostgres.builder().start();
        url = "jdbc:postgresql://localhost:" + pg.getPort() + "/postgres";
        backend("CREATE SCHEMA gone", "CREATE TABLE gone.readtab (keyval integer PRIMARY KEY, str varchar(64))",
                "CREATE TABLE gone.orders (id integer PRIMARY KEY, amount integer)", "INSERT INTO gone.readtab VALUES (1, 'one')");
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        if (pg != null) pg.close();
    }

    private record Run(int code, String out, String err) {}

    private static Run cli(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code = new HourglassCli(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                env).run(args);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void listsEveryDatabasesLeftoversAndRemovesOnlyTheOnesAskedFor() {
        // Three databases make groups over the same backend tables, then go without DROP CACHE GROUP.
        DatabaseConfig.CacheSettings backendSettings = new DatabaseConfig.CacheSettings(url, "postgres", "postgres");
        DatabaseConfig gone = DatabaseConfig.defaults("GONEDB", dir.resolve("gonedb").toString()).withCache(backendSettings);
        DatabaseConfig other = DatabaseConfig.defaults("OTHERDB", dir.resolve("otherdb").toString()).withCache(backendSettings);
        String goneRead, goneAwt, otherRead, otherOrphan;
        DatabaseConfig third = DatabaseConfig.defaults("THIRDDB", dir.resolve("thirddb").toString()).withCache(backendSettings);
        try (Instance i = new Instance(TestInstances.ADMIN_PASSWORD, List.of(gone, other, third), FileStorageIo.INSTANCE, new PostgresBackend())) {
            Connection g = i.connect("GONEDB", "ADMIN", TestInstances.ADMIN_PASSWORD);
            g.execute("CREATE USER gone IDENTIFIED BY pw");
            g.execute("CREATE READONLY CACHE GROUP readcache AUTOREFRESH INTERVAL 5 SECONDS"
                    + " FROM gone.readtab (keyval NUMBER NOT NULL PRIMARY KEY, str VARCHAR2(32))");
            g.execute("CREATE ASYNCHRONOUS WRITETHROUGH CACHE GROUP awtcache FROM gone.orders (id NUMBER NOT NULL PRIMARY KEY, amount NUMBER)");
            goneRead = backendId(g, "READCACHE");
            goneAwt = backendId(g, "AWTCACHE");
            Connection o = i.connect("OTHERDB", "ADMIN", TestInstances.ADMIN_PASSWORD);
            o.execute("CREATE USER gone IDENTIFIED BY pw");
            o.execute("CREATE READONLY CACHE GROUP readcache AUTOREFRESH INTERVAL 5 SECONDS"
                    + " FROM gone.readtab (keyval NUMBER NOT NULL PRIMARY KEY, str VARCHAR2(32))");
            otherRead = backendId(o, "READCACHE");
            Connection t = i.connect("THIRDDB", "ADMIN", TestInstances.ADMIN_PASSWORD);
            t.execute("CREATE USER gone IDENTIFIED BY pw");
            t.execute("CREATE READONLY CACHE GROUP readcache AUTOREFRESH INTERVAL 5 SECONDS"
                    + " FROM gone.readtab (keyval NUMBER NOT NULL PRIMARY KEY, str VARCHAR2(32))");
            otherOrphan = backendId(t, "READCACHE");
        }
        backend("INSERT INTO gone.readtab VALUES (2, 'two')"); // three change logs get the key
        backend("DROP TABLE gone.hourglass_cl_" + otherOrphan); // its triggers and function stay, nameless
        assertTrue(backendRefuses("INSERT INTO gone.readtab VALUES (3, 'three')"), "the orphan's trigger has no change log to write");

        Map<String, String> env = Map.of("PGPASSWORD", "postgres");
        Run list = cli(env, "cache-cleanup", "--backend-url", url, "--backend-user", "postgres");
        assertEquals(0, list.code(), list.err());
        assertTrue(list.out().contains("4 cache group(s) left objects"), list.out());
        assertTrue(list.out().contains("cache group ADMIN.READCACHE of database GONEDB, id " + goneRead + ", 1 change-log entry"), list.out());
        assertTrue(list.out().contains("cache group ADMIN.AWTCACHE of database GONEDB, id " + goneAwt + ", bookmark last moved"), list.out());
        assertTrue(list.out().contains("cache group (unknown) of database (unknown), id " + otherOrphan), list.out());
        assertTrue(list.out().contains("trigger hourglass_ct_" + otherOrphan + " on \"gone\".\"readtab\""), list.out());
        assertTrue(list.out().contains("Nothing removed"), list.out());
        List<String> before = hourglassObjects();
        assertEquals(4 + 4 + 1 + 3, before.size(), "two change logs (4 objects each), a bookmark, an orphan's function and triggers: " + before);

        assertEquals(2, cli(env, "cache-cleanup", "--drop", "--backend-url", url, "--backend-user", "postgres").code(),
                "--drop needs a database or an id");
        assertEquals(before, hourglassObjects());

        // The backend and user as the service would read them for GONEDB: from its environment.
        Map<String, String> goneEnv = Map.of("HOURGLASS_DATABASES_GONEDB_CACHE_BACKEND_URL", url,
                "HOURGLASS_DATABASES_GONEDB_CACHE_UID", "postgres", "HOURGLASS_DATABASES_GONEDB_CACHE_PWD", "postgres");
        Run onlyGone = cli(goneEnv, "cache-cleanup", "--database", "gonedb");
        assertTrue(onlyGone.out().contains("2 cache group(s) of database gonedb left objects"), onlyGone.out());
        assertFalse(onlyGone.out().contains("OTHERDB"), onlyGone.out());
        Run dropped = cli(goneEnv, "cache-cleanup", "--database", "gonedb", "--drop");
        assertEquals(0, dropped.code(), dropped.err());
        assertEquals(2, dropped.out().split("removed", -1).length - 1, dropped.out());
        List<String> left = hourglassObjects();
        assertTrue(left.stream().noneMatch(n -> n.contains(goneRead) || n.contains(goneAwt)), left.toString());
        assertEquals(before.stream().filter(n -> !n.contains(goneRead) && !n.contains(goneAwt)).toList(), left,
                "OTHERDB's objects are untouched");

        Run orphan = cli(env, "cache-cleanup", "--id", otherOrphan, "--drop", "--backend-url", url, "--backend-user", "postgres");
        assertEquals(0, orphan.code(), orphan.err());
        assertEquals(4, hourglassObjects().size(), "OTHERDB's remaining change log: " + hourglassObjects());
        assertTrue(hourglassObjects().stream().allMatch(n -> n.contains(otherRead)), hourglassObjects().toString());

        // The backend table is whole and writable again; OTHERDB's change log still follows it.
        backend("INSERT INTO gone.readtab VALUES (3, 'three')", "INSERT INTO gone.orders VALUES (1, 10)");
        assertEquals(List.of("3"), query("SELECT count(*) FROM gone.readtab"));
        assertEquals(List.of("2"), query("SELECT count(*) FROM gone.hourglass_cl_" + otherRead));

        Run nothing = cli(goneEnv, "cache-cleanup", "--database", "gonedb", "--drop");
        assertEquals(0, nothing.code());
        assertTrue(nothing.out().contains("No cache group objects of database gonedb"), nothing.out());

        String nobody = "jdbc:postgresql://localhost:" + closedPort() + "/postgres";
        Run unreachable = cli(env, "cache-cleanup", "--backend-url", nobody, "--backend-user", "postgres");
        assertEquals(3, unreachable.code(), unreachable.out());
        assertTrue(unreachable.err().contains("connect to " + nobody), unreachable.err());
    }

    private static int closedPort() {
        try (var s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aGroupOfSeveralTablesIsOneLeftoverWithEveryTablesObjects() {
        backend("CREATE SCHEMA multi", "CREATE TABLE multi.customer (id integer PRIMARY KEY)",
                "CREATE TABLE multi.orders (id integer PRIMARY KEY, cust integer)");
        DatabaseConfig cfg = DatabaseConfig.defaults("MULTIDB", dir.resolve("multidb").toString())
                .withCache(new DatabaseConfig.CacheSettings(url, "postgres", "postgres"));
        String id;
        try (Instance i = new Instance(TestInstances.ADMIN_PASSWORD, List.of(cfg), FileStorageIo.INSTANCE, new PostgresBackend())) {
            Connection c = i.connect("MULTIDB", "ADMIN", TestInstances.ADMIN_PASSWORD);
            c.execute("CREATE USER multi IDENTIFIED BY pw");
            c.execute("CREATE READONLY CACHE GROUP co AUTOREFRESH INTERVAL 5 SECONDS FROM multi.customer (id NUMBER NOT NULL PRIMARY KEY),"
                    + " multi.orders (id NUMBER NOT NULL PRIMARY KEY, cust NUMBER, FOREIGN KEY (cust) REFERENCES multi.customer)");
            id = backendId(c, "CO");
        }
        backend("INSERT INTO multi.customer VALUES (1)", "INSERT INTO multi.orders VALUES (1, 1), (2, 1)");
        Map<String, String> env = Map.of("PGPASSWORD", "postgres");
        Run list = cli(env, "cache-cleanup", "--id", id, "--backend-url", url, "--backend-user", "postgres");
        assertEquals(0, list.code(), list.err());
        assertTrue(list.out().contains("cache group ADMIN.CO of database MULTIDB, id " + id + ", 3 change-log entries"), list.out());
        assertTrue(list.out().contains("table multi.hourglass_cl_" + id + "_1"), list.out());
        assertTrue(list.out().contains("trigger hourglass_ct_" + id + "_1 on \"multi\".\"orders\""), list.out());
        assertEquals(8, hourglassObjects().stream().filter(n -> n.contains(id)).count(), "two tables' change logs, 4 objects each");
        Run dropped = cli(env, "cache-cleanup", "--id", id, "--drop", "--backend-url", url, "--backend-user", "postgres");
        assertEquals(0, dropped.code(), dropped.err());
        assertEquals(List.of(), hourglassObjects().stream().filter(n -> n.contains(id)).toList());
        backend("INSERT INTO multi.orders VALUES (3, 1)", "DROP SCHEMA multi CASCADE"); // (no trigger is left to refuse it)
    }

    private static String backendId(Connection c, String group) {
        return (String) c.execute("SELECT backend_id FROM sys.cache_group WHERE cgname = ?", group).rows().getFirst()[0];
    }

    /** The names of every table, function and trigger in the backend that Hourglass names, sorted. */
    private static List<String> hourglassObjects() {
        return query("SELECT relname FROM pg_class WHERE relname LIKE 'hourglass%' AND relkind = 'r'"
                + " UNION ALL SELECT proname FROM pg_proc WHERE proname LIKE 'hourglass%'"
                + " UNION ALL SELECT tgname FROM pg_trigger WHERE tgname LIKE 'hourglass%' ORDER BY 1");
    }

    private static List<String> query(String sql) {
        try (var c = DriverManager.getConnection(url, "postgres", "postgres"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            List<String> out = new ArrayList<>();
            while (rs.next()) out.add(rs.getString(1));
            return out;
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    private static boolean backendRefuses(String statement) {
        try (var c = DriverManager.getConnection(url, "postgres", "postgres"); Statement st = c.createStatement()) {
            st.execute(statement);
            return false;
        } catch (SQLException e) {
            return true;
        }
    }

    private static void backend(String... statements) {
        try (var c = DriverManager.getConnection(url, "postgres", "postgres"); Statement st = c.createStatement()) {
            for (String s : statements) st.execute(s);
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }
}
