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
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import static io.hourglass.engine.TestInstances.rows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Logins under password profiles: FAILED_LOGIN_ATTEMPTS wrong passwords in a row lock an account
 * (LOCKED(TIMED)) until PASSWORD_LOCK_TIME passes or an ADMIN user unlocks it; ACCOUNT LOCK locks
 * it until unlocked; a locked account's password is not checked, so no answer says whether a
 * guess was right. Profiles, their users and ACCOUNT LOCK outlive a restart. (The statements and
 * views themselves are 42_profiles.test's.)
 */
class AccountLockTest {
    private static final int AUTH_FAILED = 7001, LOCKED = 90059;

    private static int refused(Instance i, String dsn, String user, String password) {
        return assertThrows(HourglassException.class, () -> i.connect(dsn, user, password).close()).number();
    }

    private static String status(Connection admin, String user) {
        return rows(admin, "SELECT account_status FROM dba_users WHERE username = '" + user + "'").getFirst();
    }

    @Test
    void wrongPasswordsInARowLockTheAccountUntilUnlocked() {
        try (Instance i = TestInstances.one("LK1"); Connection a = TestInstances.admin(i, "LK1")) {
            a.execute("CREATE PROFILE three LIMIT FAILED_LOGIN_ATTEMPTS 3 PASSWORD_LOCK_TIME UNLIMITED");
            a.execute("CREATE USER app IDENTIFIED BY right_pw PROFILE three");
            // two wrong, then a good login: the count starts again
            assertEquals(AUTH_FAILED, refused(i, "LK1", "app", "guess1"));
            assertEquals(AUTH_FAILED, refused(i, "LK1", "app", "guess2"));
            i.connect("LK1", "app", "right_pw").close();
            assertEquals(AUTH_FAILED, refused(i, "LK1", "app", "guess3"));
            assertEquals(AUTH_FAILED, refused(i, "LK1", "app", "guess4"));
            assertEquals("OPEN", status(a, "APP"));
            // the third in a row is still answered as wrong, and locks the account
            assertEquals(AUTH_FAILED, refused(i, "LK1", "app", "guess5"));
            assertEquals("LOCKED(TIMED)", status(a, "APP"));
            // (when, in the time SYSDATE keeps)
            assertEquals(List.of("1"), rows(a, "SELECT COUNT(*) FROM dba_users WHERE username = 'APP' AND lock_date BETWEEN SYSDATE - 1 / 1440 AND SYSDATE + 1 / 1440"));
            // now every login is refused as locked, the right password as a wrong one
            assertEquals(LOCKED, refused(i, "LK1", "app", "right_pw"));
            assertEquals(LOCKED, refused(i, "LK1", "app", "guess6"));
            a.execute("ALTER USER app ACCOUNT UNLOCK");
            assertEquals("OPEN", status(a, "APP"));
            // unlocking forgot the failures: two more wrong ones do not lock it
            assertEquals(AUTH_FAILED, refused(i, "LK1", "app", "guess7"));
            assertEquals(AUTH_FAILED, refused(i, "LK1", "app", "guess8"));
            try (Connection app = i.connect("LK1", "app", "right_pw")) {
                assertEquals(List.of("APP|OPEN"), rows(app, "SELECT username, account_status FROM user_users"));
            }
            // ACCOUNT LOCK: refused whatever the password; a session already open goes on, as in Oracle
            try (Connection open = i.connect("LK1", "app", "right_pw")) {
                a.execute("ALTER USER app ACCOUNT LOCK");
                assertEquals(LOCKED, refused(i, "LK1", "app", "right_pw"));
                assertEquals(List.of("LOCKED"), rows(open, "SELECT account_status FROM user_users"));
            }
            // a profile change does not unlock it; UNLOCK does
            a.execute("ALTER USER app PROFILE DEFAULT");
            assertEquals(LOCKED, refused(i, "LK1", "app", "right_pw"));
            a.execute("ALTER USER app ACCOUNT UNLOCK");
            i.connect("LK1", "app", "right_pw").close();
        }
    }

    @Test
    void theDefaultProfileLocksAfterTenAndTheInstanceAdministratorNever() {
        try (Instance i = TestInstances.one("LK2"); Connection a = TestInstances.admin(i, "LK2")) {
            a.execute("CREATE USER plain IDENTIFIED BY right_pw");
            for (int n = 1; n <= 10; n++) assertEquals(AUTH_FAILED, refused(i, "LK2", "plain", "guess" + n), "guess " + n);
            assertEquals(LOCKED, refused(i, "LK2", "plain", "right_pw"));
            // the instance administrator is never locked out: its password is the configuration's
            for (int n = 1; n <= 12; n++) assertEquals(AUTH_FAILED, refused(i, "LK2", "admin", "guess" + n));
            TestInstances.admin(i, "LK2").close();
            assertEquals("OPEN", status(a, "ADMIN"));
            // with FAILED_LOGIN_ATTEMPTS UNLIMITED, nothing locks
            a.execute("ALTER PROFILE DEFAULT LIMIT FAILED_LOGIN_ATTEMPTS UNLIMITED");
            a.execute("CREATE USER free IDENTIFIED BY right_pw");
            for (int n = 1; n <= 11; n++) assertEquals(AUTH_FAILED, refused(i, "LK2", "free", "guess" + n));
            i.connect("LK2", "free", "right_pw").close();
        }
    }

    /** The lock lifts by itself once PASSWORD_LOCK_TIME has passed (here the least, one second), and the count with it. */
    @Test
    void aTimedLockLiftsAfterThePasswordLockTime() throws InterruptedException {
        try (Instance i = TestInstances.one("LK3"); Connection a = TestInstances.admin(i, "LK3")) {
            a.execute("CREATE PROFILE brief LIMIT FAILED_LOGIN_ATTEMPTS 2 PASSWORD_LOCK_TIME .0000116"); // 1.002 s
            a.execute("CREATE USER app IDENTIFIED BY right_pw PROFILE brief");
            assertEquals(AUTH_FAILED, refused(i, "LK3", "app", "wrong"));
            long t0 = System.nanoTime();
            assertEquals(AUTH_FAILED, refused(i, "LK3", "app", "wrong"));
            assertEquals(LOCKED, refused(i, "LK3", "app", "right_pw"));
            long deadline = t0 + 30_000_000_000L;
            while (status(a, "APP").equals("LOCKED(TIMED)")) {
                assertTrue(System.nanoTime() < deadline, "the lock never lifted");
                Thread.sleep(50);
            }
            assertTrue(System.nanoTime() - t0 >= 1_000_000_000L, "lifted after PASSWORD_LOCK_TIME, not before");
            assertEquals("OPEN", status(a, "APP"));
            // the count started again: one wrong password does not lock it
            assertEquals(AUTH_FAILED, refused(i, "LK3", "app", "wrong"));
            assertEquals("OPEN", status(a, "APP"));
            i.connect("LK3", "app", "right_pw").close();
            assertEquals(AUTH_FAILED, refused(i, "LK3", "app", "wrong"));
            assertEquals(AUTH_FAILED, refused(i, "LK3", "app", "wrong"));
            assertEquals("LOCKED(TIMED)", status(a, "APP"));
        }
    }

    /**
     * Guesses sent at once get exactly FAILED_LOGIN_ATTEMPTS answers of "wrong": the others wait
     * their turn for the slow check and find the account locked, so a flood learns no more.
     */
    @Test
    void guessesSentAtOnceGetNoMoreAnswersThanTheLimit() throws Exception {
        try (Instance i = TestInstances.one("LK4"); Connection a = TestInstances.admin(i, "LK4")) {
            a.execute("CREATE PROFILE three LIMIT FAILED_LOGIN_ATTEMPTS 3");
            a.execute("CREATE USER app IDENTIFIED BY right_pw PROFILE three");
            int n = 8;
            long checksBefore = Catalog.slowChecksDone();
            CountDownLatch go = new CountDownLatch(1);
            List<Integer> codes = Collections.synchronizedList(new ArrayList<>());
            List<Thread> threads = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                String guess = "guess" + k;
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        go.await();
                        codes.add(refused(i, "LK4", "app", guess));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
            }
            go.countDown();
            for (Thread t : threads) t.join();
            Collections.sort(codes);
            assertEquals(List.of(AUTH_FAILED, AUTH_FAILED, AUTH_FAILED, LOCKED, LOCKED, LOCKED, LOCKED, LOCKED), codes);
            assertEquals(3, Catalog.slowChecksDone() - checksBefore, "the guesses that found it locked were not checked");
            assertEquals("LOCKED(TIMED)", status(a, "APP"));
            assertEquals(LOCKED, refused(i, "LK4", "app", "right_pw"));
        }
    }

    @Test
    void profilesAndLocksOutliveARestartFromTheLogAndFromACheckpoint(@TempDir Path dir) {
        DatabaseConfig cfg = DatabaseConfig.defaults("LK5", dir.resolve("lk5").toString());
        String users = "SELECT username || ':' || account_status || ':' || profile FROM dba_users ORDER BY 1";
        String profiles = "SELECT profile || ':' || resource_name || ':' || limit FROM dba_profiles"
                + " WHERE resource_name IN ('FAILED_LOGIN_ATTEMPTS', 'PASSWORD_LOCK_TIME') ORDER BY 1";
        Crashable first = Crashable.open(cfg);
        try (Connection a = TestInstances.admin(first.instance(), "LK5")) {
            for (String ddl : List.of("ALTER PROFILE DEFAULT LIMIT FAILED_LOGIN_ATTEMPTS 5",
                    "CREATE PROFILE strict LIMIT FAILED_LOGIN_ATTEMPTS 2 PASSWORD_LOCK_TIME 1",
                    "CREATE PROFILE gone LIMIT FAILED_LOGIN_ATTEMPTS 7",
                    "CREATE PROFILE lax LIMIT FAILED_LOGIN_ATTEMPTS 9",
                    "ALTER PROFILE lax LIMIT FAILED_LOGIN_ATTEMPTS UNLIMITED",
                    "CREATE USER locked IDENTIFIED BY pw1 ACCOUNT LOCK",
                    "CREATE USER moved IDENTIFIED BY pw2 PROFILE gone",
                    "CREATE USER kept IDENTIFIED BY pw3 PROFILE strict",
                    "CREATE USER freed IDENTIFIED BY pw4 ACCOUNT LOCK PROFILE lax",
                    "ALTER USER freed ACCOUNT UNLOCK",
                    "DROP PROFILE gone CASCADE")) {
                a.execute(ddl);
            }
        }
        first.kill(); // no checkpoint at the end: the restart replays the log
        List<String> before = List.of("ADMIN:OPEN:DEFAULT", "FREED:OPEN:LAX", "KEPT:OPEN:STRICT", "LOCKED:LOCKED:DEFAULT", "MOVED:OPEN:DEFAULT");
        List<String> limits = List.of("DEFAULT:FAILED_LOGIN_ATTEMPTS:5", "DEFAULT:PASSWORD_LOCK_TIME:.0034", "LAX:FAILED_LOGIN_ATTEMPTS:UNLIMITED",
                "LAX:PASSWORD_LOCK_TIME:DEFAULT", "STRICT:FAILED_LOGIN_ATTEMPTS:2", "STRICT:PASSWORD_LOCK_TIME:1");
        Crashable.threeLoads(cfg, (round, i, a) -> {
            List<String> expected = round < 2 ? before
                    : List.of("ADMIN:OPEN:DEFAULT", "FREED:LOCKED:LAX", "KEPT:OPEN:DEFAULT", "LOCKED:OPEN:DEFAULT", "MOVED:OPEN:DEFAULT");
            assertEquals(expected, rows(a, users), "round " + round);
            assertEquals(round < 2 ? limits : limits.subList(0, 4), rows(a, profiles), "round " + round);
            assertEquals(round < 2 ? LOCKED : 0, round < 2 ? refused(i, "LK5", "locked", "pw1") : connects(i, "locked", "pw1"), "round " + round);
            assertEquals(round < 2 ? 0 : LOCKED, round < 2 ? connects(i, "freed", "pw4") : refused(i, "LK5", "freed", "pw4"), "round " + round);
            if (round == 1) {
                a.execute("ALTER USER locked ACCOUNT UNLOCK");
                a.execute("ALTER USER freed ACCOUNT LOCK");
                a.execute("DROP PROFILE strict CASCADE");
            }
        });
    }

    /** CREATE USER ... ACCOUNT LOCK is one transaction in the log: no crash recovers the user without its lock. */
    @Test
    void aUserAndItsLockAreLoggedAsOneTransaction(@TempDir Path dir) {
        DatabaseConfig cfg = DatabaseConfig.defaults("LK6", dir.resolve("lk6").toString());
        Crashable first = Crashable.open(cfg);
        try (Connection a = TestInstances.admin(first.instance(), "LK6")) {
            a.execute("CREATE PROFILE p LIMIT FAILED_LOGIN_ATTEMPTS 4");
            a.execute("CREATE USER held IDENTIFIED BY pw ACCOUNT LOCK PROFILE p");
        }
        first.kill();
        Crashable second = Crashable.open(cfg);
        try (Connection a = TestInstances.admin(second.instance(), "LK6")) {
            assertEquals(2, second.instance().database("LK6").recovery().transactions(), "CREATE PROFILE, then CREATE USER in one");
            assertEquals(List.of("HELD|LOCKED|P|CREATE SESSION"), rows(a, "SELECT u.username, u.account_status, u.profile, p.privilege"
                    + " FROM dba_users u, dba_sys_privs p WHERE u.username = p.grantee AND u.username <> 'ADMIN'"));
        } finally {
            second.kill();
        }
    }

    private static int connects(Instance i, String user, String password) {
        i.connect("LK5", user, password).close();
        return 0;
    }
}
