package io.hourglass.engine.lifecycle;

import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.HourglassException;
import io.hourglass.engine.TestInstances;
import io.hourglass.engine.catalog.InstanceSecret;
import io.hourglass.engine.catalog.PasswordHasher;
import io.hourglass.engine.sql.PreparedStatement;
import io.hourglass.engine.sql.StatementResult;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Connections, authentication, parameters, PermSize and several databases per instance. */
class EngineBasicsTest {

    private static int code(Runnable r) {
        return assertThrows(HourglassException.class, r::run).number();
    }

    @Test
    void instanceRefusesToStartWithoutAnAdminPassword() {
        assertThrows(IllegalArgumentException.class, () -> new Instance(null, List.of(DatabaseConfig.temporary("A"))));
        assertThrows(IllegalArgumentException.class, () -> new Instance(" ", List.of(DatabaseConfig.temporary("A"))));
    }

    /**
     * A long IN list of parameters is hashed once per execution, never across executions: the
     * same prepared statement run again with other values, or with other kinds of values, or
     * run from two connections at once, answers for its own values.
     */
    @Test
    void aLongInListOfParametersAnswersForEachExecutionsOwnValues() throws Exception {
        try (Instance inst = TestInstances.one("INP")) {
            Connection c = inst.connect("INP", "admin", TestInstances.ADMIN_PASSWORD);
            c.execute("CREATE TABLE n (id INTEGER PRIMARY KEY, v INTEGER, s VARCHAR2(10))");
            for (int i = 0; i < 100; i++) c.execute("INSERT INTO n VALUES (?, ?, ?)", i, i % 10, "s" + i % 10);
            io.hourglass.engine.sql.PreparedStatement ps = c.prepare("SELECT COUNT(*) FROM n WHERE v IN (?, ?, ?, ?, ?, ?, ?, ?)");
            java.util.function.Function<Object[], Long> count = p -> ((Number) c.execute(ps, p).rows().getFirst()[0]).longValue();
            assertEquals(80L, count.apply(new Object[] {0, 1, 2, 3, 4, 5, 6, 7}));
            assertEquals(10L, count.apply(new Object[] {9, 90, 91, 92, 93, 94, 95, 96}));
            assertEquals(20L, count.apply(new Object[] {"8", 9, 90, 91, 92, 93, 94, 95}), "a string among numbers converts");
            assertEquals(30L, count.apply(new Object[] {new java.math.BigDecimal("1.0"), 2.0, 3L, null, -1, -2, -3, -4}));
            Object[] reused = {0, 1, 2, 3, 4, 5, 6, 7};
            assertEquals(80L, count.apply(reused));
            reused[0] = 100; // the same array, other contents: a new execution, a new set
            assertEquals(70L, count.apply(reused));
            // Two connections running the statement at once, each with its own values.
            Connection d = inst.connect("INP", "admin", TestInstances.ADMIN_PASSWORD);
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
            java.util.concurrent.Future<Boolean> one = pool.submit(() -> {
                for (int i = 0; i < 2_000; i++) {
                    if (((Number) c.execute(ps, 0, 0, 0, 0, 0, 0, 0, 1).rows().getFirst()[0]).longValue() != 20) return false;
                }
                return true;
            });
            java.util.concurrent.Future<Boolean> two = pool.submit(() -> {
                for (int i = 0; i < 2_000; i++) {
                    if (((Number) d.execute(ps, 2, 3, 4, 2, 2, 2, 2, 2).rows().getFirst()[0]).longValue() != 30) return false;
                }
                return true;
            });
            assertTrue(one.get(60, java.util.concurrent.TimeUnit.SECONDS));
            assertTrue(two.get(60, java.util.concurrent.TimeUnit.SECONDS));
            pool.shutdown();
            c.close();
            d.close();
        }
    }

    @Test
    void wrongPasswordUnknownUserAndMissingSessionPrivilege() {
        try (Instance inst = TestInstances.one("AUTH")) {
            assertEquals(7001, code(() -> inst.connect("AUTH", "admin", "wrong")));
            assertEquals(7001, code(() -> inst.connect("AUTH", "nobody", "x")));
            assertEquals(7001, code(() -> inst.connect("DSN=AUTH;UID=admin")));
            try (Connection a = inst.connect("AUTH", "admin", TestInstances.ADMIN_PASSWORD)) {
                a.execute("CREATE USER u1 IDENTIFIED BY 'p w1'");
                a.execute("CREATE USER u2 IDENTIFIED BY pw2");
                a.execute("REVOKE CREATE SESSION FROM u2");
            }
            try (Connection u = inst.connect("DSN=AUTH;UID=u1;PWD=p w1")) {
                assertEquals("U1", u.user().name());
            }
            assertEquals(7001, code(() -> inst.connect("AUTH", "u1", "P W1")), "passwords are case-sensitive");
            assertEquals(90006, code(() -> inst.connect("AUTH", "u2", "pw2")));
            assertEquals(90011, code(() -> inst.connect("NOPE", "admin", TestInstances.ADMIN_PASSWORD)));
            assertEquals(90013, code(() -> inst.connect("DSN=AUTH;UID")));
        }
    }

    @Test
    void passwordsAreStoredAsSaltedSlowHashes() {
        String h1 = PasswordHasher.hash("secret"), h2 = PasswordHasher.hash("secret");
        assertNotEquals(h1, h2, "salted");
        assertFalse(h1.contains("secret"));
        assertTrue(h1.startsWith("pbkdf2-sha256$" + PasswordHasher.ITERATIONS + "$"));
        assertTrue(PasswordHasher.ITERATIONS >= 100_000);
        assertTrue(PasswordHasher.verify("secret", h1));
        assertFalse(PasswordHasher.verify("Secret", h1));
    }

    @Test
    void instanceAdministratorIsCheckedAgainstItsKeyedMac() throws Exception {
        InstanceSecret secret = new InstanceSecret("s3cret pw");
        assertTrue(secret.matches("s3cret pw"));
        assertFalse(secret.matches("s3cret pW"));
        assertFalse(secret.matches("s3cret pw "));
        assertFalse(secret.matches(""));
        assertFalse(secret.matches(null));
        // Nothing in the object is the password or a fixed function of it: the key is random.
        assertNotEquals(macField(secret), macField(new InstanceSecret("s3cret pw")));
        // Guessing is slowed as the slow hash slowed it: wrong answers take their delay one at a
        // time, however many guess at once; the right password still passes.
        long t0 = System.nanoTime();
        java.util.List<Thread> guessers = new java.util.ArrayList<>();
        java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();
        for (int g = 0; g < 4; g++) {
            String guess = "guess " + g;
            guessers.add(Thread.ofVirtual().start(() -> { if (secret.verify(guess)) accepted.incrementAndGet(); }));
        }
        assertTrue(secret.verify("s3cret pw"));
        for (Thread g : guessers) g.join();
        long ms = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertEquals(0, accepted.get());
        assertTrue(ms >= 4 * InstanceSecret.FAILURE_DELAY_MILLIS - 20, "4 wrong guesses answered in " + ms + " ms");
        try (Instance inst = TestInstances.one("ADM")) {
            inst.authenticateAdmin("admin", TestInstances.ADMIN_PASSWORD);
            inst.authenticateAdmin("ADMIN", TestInstances.ADMIN_PASSWORD);
            assertEquals(7001, code(() -> inst.authenticateAdmin("admin", TestInstances.ADMIN_PASSWORD + "x")));
            assertEquals(7001, code(() -> inst.authenticateAdmin("admin", null)));
            assertEquals(7001, code(() -> inst.authenticateAdmin("other", TestInstances.ADMIN_PASSWORD)));
            inst.connect("ADM", "admin", TestInstances.ADMIN_PASSWORD).close();
            assertEquals(7001, code(() -> inst.connect("ADM", "admin", TestInstances.ADMIN_PASSWORD.toUpperCase())));
        }
    }

    private static String macField(InstanceSecret s) throws ReflectiveOperationException {
        var f = InstanceSecret.class.getDeclaredField("mac");
        f.setAccessible(true);
        return java.util.HexFormat.of().formatHex((byte[]) f.get(s));
    }

    @Test
    void changedPasswordTakesEffectAtOnce() {
        try (Instance inst = TestInstances.one("PW"); Connection a = inst.connect("PW", "admin", TestInstances.ADMIN_PASSWORD)) {
            a.execute("CREATE USER u IDENTIFIED BY one");
            inst.connect("PW", "u", "one").close(); // cached as verified
            a.execute("ALTER USER u IDENTIFIED BY two");
            assertEquals(7001, code(() -> inst.connect("PW", "u", "one")));
            inst.connect("PW", "u", "two").close();
            a.execute("DROP USER u");
            assertEquals(7001, code(() -> inst.connect("PW", "u", "two")));
        }
    }

    @Test
    void firstAttributeWinsAndAttributesApply() {
        ConnectionString cs = ConnectionString.parse("DSN=a;UID=x;uid=y;PWD=p;LockWait=2");
        assertEquals("x", cs.uid());
        assertEquals("2", cs.get("lockwait"));
        assertFalse(cs.toString().contains("p;"), "the password is masked");
        try (Instance inst = TestInstances.one("ATTR");
             Connection c = inst.connect("DSN=ATTR;UID=admin;PWD=" + TestInstances.ADMIN_PASSWORD + ";LockWait=2.5;Isolation=SERIALIZABLE")) {
            assertEquals(2.5, c.lockWait());
            assertEquals(io.hourglass.engine.txn.Isolation.SERIALIZABLE, c.isolation());
        }
    }

    @Test
    void preparedStatementsBindParametersOfEveryType() {
        try (Instance inst = TestInstances.one("P"); Connection c = inst.connect("P", "admin", TestInstances.ADMIN_PASSWORD)) {
            c.execute("CREATE TABLE p (id INTEGER PRIMARY KEY, n NUMBER(10,2), d BINARY_DOUBLE, s VARCHAR2(10), b VARBINARY(4), t DATE)");
            PreparedStatement ins = c.prepare("INSERT INTO p VALUES (?, ?, ?, ?, ?, ?)");
            assertEquals(6, ins.parameterCount());
            for (int i = 0; i < 50; i++) {
                c.execute(ins, i, new BigDecimal("1.25").multiply(BigDecimal.valueOf(i)), i / 2.0, "s" + i,
                        new byte[] {(byte) i}, LocalDate.of(2024, 1, 1).plusDays(i));
            }
            PreparedStatement q = c.prepare("SELECT s, n, b FROM p WHERE id = ?");
            StatementResult r = c.execute(q, 7);
            assertEquals("s7", r.rows().get(0)[0]);
            assertEquals(0, new BigDecimal("8.75").compareTo((BigDecimal) r.rows().get(0)[1]));
            assertEquals(1, c.execute(q, 7L).rows().size());
            assertEquals(0, c.execute(q, 1000).rows().size());
            assertEquals(90014, code(() -> c.execute(q)));
            assertEquals(90014, code(() -> c.execute(q, 1, 2)));
            assertEquals(90003, code(() -> c.execute(q, new Object())));
            assertEquals(10L, c.execute("SELECT COUNT(*) FROM p WHERE t BETWEEN ? AND ?",
                    LocalDate.of(2024, 1, 11), LocalDate.of(2024, 1, 20)).rows().get(0)[0]);
            PreparedStatement chunk = c.prepare("DELETE FIRST ? FROM p WHERE id >= ?"); // TimesTen's, n a parameter
            assertEquals(20L, c.execute(chunk, 20, 10).updateCount());
            assertEquals(20L, c.execute(chunk, 25L, 10).updateCount());
            assertEquals(3105, code(() -> c.execute(chunk, 0, 10)));
            assertEquals(3105, code(() -> c.execute(chunk, new Object[] {null, 10})));
            assertEquals(10L, c.execute("SELECT COUNT(*) FROM p").rows().get(0)[0]);
        }
    }

    @Test
    void preparedStatementsReplanAfterDdl() {
        try (Instance inst = TestInstances.one("RP"); Connection c = inst.connect("RP", "admin", TestInstances.ADMIN_PASSWORD)) {
            c.execute("CREATE TABLE r (id INTEGER, v INTEGER)");
            c.execute("INSERT INTO r VALUES (1, 10)");
            PreparedStatement q = c.prepare("SELECT v FROM r WHERE id = ?");
            PreparedStatement plan = c.prepare("EXPLAIN SELECT v FROM r WHERE id = ?");
            assertEquals("FULL SCAN ADMIN.R", c.execute(plan, 1).rows().get(0)[0]);
            assertEquals(10L, c.execute(q, 1).rows().get(0)[0]);
            c.execute("CREATE UNIQUE HASH INDEX r_id ON r (id)");
            assertEquals("HASH INDEX LOOKUP ADMIN.R_ID ON ADMIN.R", c.execute(plan, 1).rows().get(0)[0]);
            assertEquals(10L, c.execute(q, 1).rows().get(0)[0]);
            c.execute("DROP TABLE r");
            assertEquals(2206, code(() -> c.execute(q, 1)));
        }
    }

    @Test
    void statementsAfterCloseFail() {
        try (Instance inst = TestInstances.one("CL")) {
            Connection c = inst.connect("CL", "admin", TestInstances.ADMIN_PASSWORD);
            c.setAutocommit(false);
            c.execute("CREATE TABLE t (x INTEGER)");
            c.execute("INSERT INTO t VALUES (1)");
            c.close();
            assertEquals(90012, code(() -> c.execute("SELECT * FROM t")));
            assertEquals(90012, code(c::commit));
            try (Connection d = inst.connect("CL", "admin", TestInstances.ADMIN_PASSWORD)) {
                assertEquals(0L, d.execute("SELECT COUNT(*) FROM t").rows().get(0)[0], "close rolled back");
            }
            assertEquals(0, inst.database("CL").connectionCount());
        }
    }

    @Test
    void permSizeFullFailsWithTT802AndKeepsCommittedData() {
        DatabaseConfig cfg = DatabaseConfig.temporary("SMALL").withPermSize(1);
        try (Instance inst = TestInstances.with(cfg); Connection c = inst.connect("SMALL", "admin", TestInstances.ADMIN_PASSWORD)) {
            c.execute("CREATE TABLE big (id INTEGER PRIMARY KEY, pad VARCHAR2(1000))");
            String pad = "x".repeat(1000);
            int inserted = 0;
            HourglassException full = null;
            for (int i = 0; i < 10_000 && full == null; i++) {
                try {
                    c.execute("INSERT INTO big VALUES (?, ?)", i, pad);
                    inserted++;
                } catch (HourglassException e) {
                    full = e;
                }
            }
            assertTrue(full != null, "1 MB filled up");
            assertEquals(802, full.number());
            assertTrue(inserted > 500 && inserted < 1100, "inserted " + inserted);
            assertEquals((long) inserted, c.execute("SELECT COUNT(*) FROM big").rows().get(0)[0]);
            // Deleting is allowed when full; a multi-row statement that overflows changes nothing.
            c.execute("DELETE FROM big WHERE id < 3");
            assertEquals(802, code(() -> c.execute("INSERT INTO big SELECT id + 100000, pad FROM big")));
            assertEquals((long) inserted - 3, c.execute("SELECT COUNT(*) FROM big").rows().get(0)[0]);
            // Deleting gives the space back once no snapshot needs the old versions.
            c.execute("DELETE FROM big WHERE id < 200");
            c.execute("INSERT INTO big VALUES (-1, ?)", pad);
            assertEquals(pad, c.execute("SELECT pad FROM big WHERE id = -1").rows().get(0)[0]);
        }
    }

    @Test
    void connectionsPastTheConnectionsAttributeFailWithTT702() {
        DatabaseConfig cfg = DatabaseConfig.temporary("FEW").withConnections(3);
        try (Instance inst = TestInstances.with(cfg)) {
            List<Connection> open = new java.util.ArrayList<>();
            for (int i = 0; i < 3; i++) open.add(inst.connect("FEW", "admin", TestInstances.ADMIN_PASSWORD));
            HourglassException e = assertThrows(HourglassException.class, () -> inst.connect("FEW", "admin", TestInstances.ADMIN_PASSWORD));
            assertEquals(702, e.number());
            assertTrue(e.getMessage().contains("(max 3)"), e.getMessage());
            assertEquals(7001, code(() -> inst.connect("FEW", "admin", "wrong")), "authentication comes first");
            assertEquals(3, inst.database("FEW").connectionCount());
            open.remove(0).close();
            open.get(0).close(); // closing twice gives back one place, not two
            open.get(0).close();
            open.add(inst.connect("FEW", "admin", TestInstances.ADMIN_PASSWORD));
            open.add(inst.connect("FEW", "admin", TestInstances.ADMIN_PASSWORD));
            assertEquals(702, code(() -> inst.connect("FEW", "admin", TestInstances.ADMIN_PASSWORD)));
            assertEquals("3", open.get(1).execute("CALL ttConfiguration('Connections')").rows().get(0)[1]);
            for (Connection c : open) c.close();
        }
        assertThrows(IllegalArgumentException.class, () -> DatabaseConfig.temporary("X").withConnections(0));
        assertEquals(2000, DatabaseConfig.temporary("X").connections());
    }

    @Test
    void severalDatabasesAreIndependent() {
        try (Instance inst = new Instance(TestInstances.ADMIN_PASSWORD,
                List.of(DatabaseConfig.temporary("ONE"), DatabaseConfig.temporary("TWO")));
             Connection one = inst.connect("ONE", "admin", TestInstances.ADMIN_PASSWORD);
             Connection two = inst.connect("two", "admin", TestInstances.ADMIN_PASSWORD)) {
            one.execute("CREATE TABLE t (x INTEGER)");
            one.execute("INSERT INTO t VALUES (1)");
            assertEquals(2206, code(() -> two.execute("SELECT * FROM t")));
            one.execute("CREATE USER only_one IDENTIFIED BY pw");
            assertEquals(7001, code(() -> inst.connect("TWO", "only_one", "pw")));
            assertEquals(2, inst.databases().size());
        }
    }

    @Test
    void errorCodesAreUniqueAndMessagesCarryTheNumber() {
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (ErrorCode e : ErrorCode.values()) assertTrue(seen.add(e.number()), "duplicate number " + e.number());
        assertEquals("TT0907: Unique constraint (X) violated", ErrorCode.UNIQUE_VIOLATION.error("X").getMessage());
    }
}
