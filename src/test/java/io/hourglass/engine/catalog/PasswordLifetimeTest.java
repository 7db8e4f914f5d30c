package io.hourglass.engine.catalog;

import io.hourglass.engine.Crashable;
import io.hourglass.engine.HourglassException;
import io.hourglass.engine.TestInstances;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.DatabaseConfig;
import io.hourglass.engine.lifecycle.Instance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.hourglass.engine.TestInstances.rows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Password lifetimes and reuse under profiles, with the catalog's clock moved by hand:
 * PASSWORD_LIFE_TIME days after a password is set it enters PASSWORD_GRACE_TIME (logins go on,
 * EXPIRED(GRACE)), then expires (a login may only set a new password, TT90063); PASSWORD EXPIRE
 * expires it at once; PASSWORD_REUSE_TIME and PASSWORD_REUSE_MAX keep an old password from coming
 * back until both are met (TT90064). All of it outlives a restart, with the times it happened.
 * (The statements and views are 42_profiles.test's.)
 */
class PasswordLifetimeTest {
    private static final int AUTH_FAILED = 7001, EXPIRED = 90063, REUSED = 90064;
    private static final long DAY = TimeUnit.DAYS.toMillis(1);

    /** Sets the catalog's clock to one this test moves, starting now. */
    private static AtomicLong handClock(Connection admin) {
        AtomicLong now = new AtomicLong(System.currentTimeMillis());
        admin.catalog().clock(now::get);
        return now;
    }

    private static String status(Connection admin, String user) {
        return rows(admin, "SELECT account_status FROM dba_users WHERE username = '" + user + "'").getFirst();
    }

    private static int refused(Connection c, String sql) {
        return assertThrows(HourglassException.class, () -> c.execute(sql)).number();
    }

    @Test
    void aPasswordGoesIntoGraceThenExpiresAndOnlyANewOneLetsItsUserBackIn() {
        try (Instance i = TestInstances.one("PL1"); Connection a = TestInstances.admin(i, "PL1")) {
            AtomicLong now = handClock(a);
            long set = now.get();
            a.execute("CREATE PROFILE monthly LIMIT PASSWORD_LIFE_TIME 10 PASSWORD_GRACE_TIME 5");
            a.execute("CREATE USER app IDENTIFIED BY pw1 PROFILE monthly");
            a.execute("CREATE TABLE app.t (id NUMBER PRIMARY KEY)");
            assertEquals("OPEN", status(a, "APP"));
            // EXPIRY_DATE: when it was set, plus its lifetime (in the service's time zone, as SYSDATE)
            assertEquals(List.of(java.time.LocalDateTime.ofInstant(java.time.Instant.ofEpochMilli(set + 10 * DAY),
                    java.time.ZoneId.systemDefault()).toString()), rows(a, "SELECT TO_CHAR(expiry_date, 'YYYY-MM-DD\"T\"HH24:MI:SS.FF3') FROM dba_users WHERE username = 'APP'")
                    .stream().map(s -> java.time.LocalDateTime.parse(s).toString()).toList());

            now.set(set + 10 * DAY - 1);
            assertEquals("OPEN", status(a, "APP"));
            now.set(set + 10 * DAY);
            assertEquals("EXPIRED(GRACE)", status(a, "APP"));
            List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
            java.util.logging.Handler h = new java.util.logging.Handler() {
                @Override public void publish(java.util.logging.LogRecord r) { warnings.add(r.getMessage()); }
                @Override public void flush() {}
                @Override public void close() {}
            };
            java.util.logging.Logger log = java.util.logging.Logger.getLogger(Catalog.class.getName());
            log.addHandler(h);
            try (Connection app = i.connect("PL1", "app", "pw1")) { // within the grace period: everything still runs
                app.execute("INSERT INTO t VALUES (1)");
                assertEquals(List.of("EXPIRED(GRACE)"), rows(app, "SELECT account_status FROM user_users"));
                i.connect("PL1", "app", "pw1").close();
            } finally {
                log.removeHandler(h);
            }
            // warned once for this password, not at every login
            assertEquals(1, warnings.size(), warnings.toString());
            assertEquals(true, warnings.getFirst().contains("ALTER USER APP IDENTIFIED BY"), warnings.getFirst());
            now.set(set + 15 * DAY - 1);
            assertEquals("EXPIRED(GRACE)", status(a, "APP"));

            now.set(set + 15 * DAY);
            assertEquals("EXPIRED", status(a, "APP"));
            // a wrong password is wrong first: no answer tells a guesser the password expired
            assertEquals(AUTH_FAILED, assertThrows(HourglassException.class, () -> i.connect("PL1", "app", "guess")).number());
            try (Connection app = i.connect("PL1", "app", "pw1")) {
                assertEquals(EXPIRED, refused(app, "SELECT COUNT(*) FROM t"));
                assertEquals(EXPIRED, refused(app, "INSERT INTO t VALUES (2)"));
                assertEquals(EXPIRED, refused(app, "ALTER USER app IDENTIFIED BY pw2 PASSWORD EXPIRE"));
                a.execute("ALTER USER app ACCOUNT LOCK");
                assertEquals("EXPIRED & LOCKED", status(a, "APP"));
                a.execute("ALTER USER app ACCOUNT UNLOCK");
                app.execute("ALTER USER app IDENTIFIED BY pw2"); // the one statement it may run; then all others
                assertEquals(List.of("1"), rows(app, "SELECT COUNT(*) FROM t"));
            }
            assertEquals("OPEN", status(a, "APP"));
            now.set(set + 25 * DAY - 1); // a new lifetime from the new password
            assertEquals("OPEN", status(a, "APP"));
            now.set(set + 25 * DAY);
            assertEquals("EXPIRED(GRACE)", status(a, "APP"));

            // a profile's new lifetime holds for passwords already set, counted from when they were
            a.execute("ALTER PROFILE monthly LIMIT PASSWORD_LIFE_TIME 100");
            assertEquals("OPEN", status(a, "APP"));
            // without a grace time's end, an expired password stays in grace (warned of at a login, never refused)
            a.execute("ALTER PROFILE monthly LIMIT PASSWORD_LIFE_TIME 1 PASSWORD_GRACE_TIME UNLIMITED");
            now.set(set + 36_500 * DAY);
            assertEquals("EXPIRED(GRACE)", status(a, "APP"));
            i.connect("PL1", "app", "pw2").execute("SELECT COUNT(*) FROM t");
        }
    }

    @Test
    void passwordExpireHoldsUntilANewPasswordWhateverTheProfile() {
        try (Instance i = TestInstances.one("PL2"); Connection a = TestInstances.admin(i, "PL2")) {
            AtomicLong now = handClock(a);
            a.execute("CREATE USER app IDENTIFIED BY pw1 PASSWORD EXPIRE");
            now.addAndGet(1000 * DAY);
            assertEquals("EXPIRED", status(a, "APP"));
            try (Connection app = i.connect("PL2", "app", "pw1")) {
                assertEquals(EXPIRED, refused(app, "SELECT 1 FROM dual"));
            }
            a.execute("ALTER USER app IDENTIFIED BY pw1"); // an admin's new password (the same one: no reuse limits)
            assertEquals("OPEN", status(a, "APP"));
            i.connect("PL2", "app", "pw1").execute("SELECT 1 FROM dual");
            // expiring a password expired already keeps the first time
            a.execute("ALTER USER app PASSWORD EXPIRE");
            List<String> first = rows(a, "SELECT expiry_date FROM dba_users WHERE username = 'APP'");
            now.addAndGet(DAY);
            a.execute("ALTER USER app PASSWORD EXPIRE");
            assertEquals(first, rows(a, "SELECT expiry_date FROM dba_users WHERE username = 'APP'"));
        }
    }

    @Test
    void anOldPasswordComesBackOnlyOnceEnoughDaysAndEnoughChangesHavePassed() {
        try (Instance i = TestInstances.one("PL3"); Connection a = TestInstances.admin(i, "PL3")) {
            AtomicLong now = handClock(a);
            a.execute("CREATE PROFILE reuse LIMIT PASSWORD_REUSE_TIME 2 PASSWORD_REUSE_MAX 1");
            a.execute("CREATE USER app IDENTIFIED BY p1 PROFILE reuse");
            a.execute("ALTER USER app IDENTIFIED BY p2");
            now.addAndGet(2 * DAY - 1); // one change since p1, but not two days
            assertEquals(REUSED, refused(a, "ALTER USER app IDENTIFIED BY p1"));
            now.addAndGet(1);
            a.execute("ALTER USER app IDENTIFIED BY p1"); // both met
            i.connect("PL3", "app", "p1").close();

            // one limit UNLIMITED: never again, however long
            a.execute("ALTER PROFILE reuse LIMIT PASSWORD_REUSE_MAX UNLIMITED");
            a.execute("ALTER USER app IDENTIFIED BY p3");
            now.addAndGet(100_000 * DAY);
            a.execute("ALTER USER app IDENTIFIED BY p4");
            assertEquals(REUSED, refused(a, "ALTER USER app IDENTIFIED BY p1"));
            assertEquals(REUSED, refused(a, "ALTER USER app IDENTIFIED BY p3"));
            assertEquals(REUSED, refused(a, "ALTER USER app IDENTIFIED BY p4"));
            // many changes, no days: still not
            a.execute("ALTER PROFILE reuse LIMIT PASSWORD_REUSE_MAX 2 PASSWORD_REUSE_TIME 30");
            a.execute("ALTER USER app IDENTIFIED BY p5");
            a.execute("ALTER USER app IDENTIFIED BY p6");
            assertEquals(REUSED, refused(a, "ALTER USER app IDENTIFIED BY p4"));
            now.addAndGet(30 * DAY);
            a.execute("ALTER USER app IDENTIFIED BY p4"); // three changes and 30 days since p4 was replaced
            assertEquals(REUSED, refused(a, "ALTER USER app IDENTIFIED BY p6")); // one change since: not yet
            // both UNLIMITED: no limit at all, and nothing is kept
            a.execute("ALTER PROFILE reuse LIMIT PASSWORD_REUSE_MAX UNLIMITED PASSWORD_REUSE_TIME UNLIMITED");
            a.execute("ALTER USER app IDENTIFIED BY p4");
            assertEquals(List.of(), a.catalog().user("APP").passwordHistory());
            // a statement that changes the profile too is held to the new profile's limits
            a.execute("CREATE PROFILE strict LIMIT PASSWORD_REUSE_MAX 5 PASSWORD_REUSE_TIME 5");
            assertEquals(REUSED, refused(a, "ALTER USER app IDENTIFIED BY p4 PROFILE strict"));
            assertEquals("REUSE", rows(a, "SELECT profile FROM dba_users WHERE username = 'APP'").getFirst());
        }
    }

    @Test
    void lifetimesExpiriesAndHistoriesOutliveARestartWithTheirTimes(@TempDir Path dir) {
        DatabaseConfig cfg = DatabaseConfig.defaults("PL4", dir.resolve("pl4").toString());
        Crashable first = Crashable.open(cfg);
        try (Connection a = TestInstances.admin(first.instance(), "PL4")) {
            long realNow = System.currentTimeMillis();
            AtomicLong now = handClock(a);
            now.set(realNow - 30 * DAY); // what follows happened a month ago
            for (String ddl : List.of("CREATE PROFILE short LIMIT PASSWORD_LIFE_TIME 10 PASSWORD_GRACE_TIME 5",
                    "CREATE PROFILE keep2 LIMIT PASSWORD_REUSE_MAX 2 PASSWORD_REUSE_TIME 20",
                    "CREATE PROFILE keep1 LIMIT PASSWORD_REUSE_MAX 1 PASSWORD_REUSE_TIME 20",
                    "CREATE USER old IDENTIFIED BY o1 PROFILE short",
                    "CREATE USER hand IDENTIFIED BY h1 PASSWORD EXPIRE",
                    "CREATE USER hist2 IDENTIFIED BY r1 PROFILE keep2",
                    "ALTER USER hist2 IDENTIFIED BY r2",
                    "CREATE USER hist1 IDENTIFIED BY s1 PROFILE keep1",
                    "ALTER USER hist1 IDENTIFIED BY s2")) {
                a.execute(ddl);
            }
            now.set(realNow);
            a.execute("CREATE USER fresh IDENTIFIED BY f1 PROFILE short");
        }
        first.kill(); // no checkpoint at the end: the restart replays the log
        Crashable.threeLoads(cfg, (round, i, a) -> {
            // set a month ago by the log's times, not when the log was replayed
            assertEquals(List.of(round < 2 ? "FRESH|OPEN" : "FRESH|EXPIRED", "HAND|EXPIRED", "HIST1|OPEN", "HIST2|OPEN", "OLD|EXPIRED"),
                    rows(a, "SELECT username, account_status FROM dba_users WHERE username <> 'ADMIN' ORDER BY 1"), "round " + round);
            try (Connection old = i.connect("PL4", "old", "o1"); Connection hand = i.connect("PL4", "hand", "h1")) {
                assertEquals(EXPIRED, refused(old, "SELECT 1 FROM dual"), "round " + round);
                assertEquals(EXPIRED, refused(hand, "SELECT 1 FROM dual"), "round " + round);
            }
            // r1 is kept (one change since, two needed); s1 was replaced a month ago, after which one change will do
            assertEquals(REUSED, refused(a, "ALTER USER hist2 IDENTIFIED BY r1"), "round " + round);
            assertEquals(REUSED, refused(a, "ALTER USER hist1 IDENTIFIED BY s2"), "round " + round);
            if (round == 1) a.execute("ALTER USER fresh PASSWORD EXPIRE"); // (in the log after the checkpoint round 2 loads)
            if (round == 2) a.execute("ALTER USER hist1 IDENTIFIED BY s1");
        });
    }
}
