package io.hourglass.engine.sql;

import io.hourglass.engine.HourglassException;
import io.hourglass.engine.TestInstances;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.DatabaseConfig;
import io.hourglass.engine.lifecycle.Instance;

/**
 * Run by {@link OutOfMemoryTest} in a JVM with a small heap, with PermSize and TempSize far
 * larger than it (a misconfigured service): a statement inside a transaction runs the heap out.
 * Prints what it saw, one fact per line, for the test to check.
 */
public final class OutOfMemoryWorker {
    public static void main(String[] args) {
        DatabaseConfig cfg = DatabaseConfig.temporary("OOM").withPermSize(8192).withTempSize(8192).withLockWait(1);
        try (Instance inst = TestInstances.with(cfg)) {
            Connection c = inst.connect("OOM", "admin", TestInstances.ADMIN_PASSWORD);
            Connection other = inst.connect("OOM", "admin", TestInstances.ADMIN_PASSWORD);
            c.execute("CREATE TABLE src (id INTEGER PRIMARY KEY, s VARCHAR2(200000))");
            for (int i = 0; i < 10; i++) c.execute("INSERT INTO src VALUES (?, ?)", i, Character.toString('a' + i).repeat(100_000));
            c.execute("CREATE TABLE dst (id INTEGER PRIMARY KEY, s VARCHAR2(200000))");
            c.setAutocommit(false);
            c.execute("INSERT INTO dst VALUES (-1, 'before')");
            try {
                // A thousand rows of 100,000 characters: far more than the heap holds.
                c.execute("INSERT INTO dst SELECT a.id * 100 + b.id * 10 + d.id, a.s FROM src a, src b, src d");
                System.out.println("NO ERROR");
            } catch (HourglassException e) {
                System.out.println("ERROR " + e.number() + " " + e.getMessage());
            }
            System.out.println("IN TRANSACTION " + c.execute("SELECT COUNT(*), MIN(id) FROM dst").rows().getFirst()[0]);
            c.commit();
            System.out.println("COMMITTED " + other.execute("SELECT COUNT(*) FROM dst").rows().getFirst()[0]);
            // No lock of the undone statement is left behind (LockWait 1 s would fail with TT6003).
            other.execute("INSERT INTO dst VALUES (0, 'other')");
            other.execute("INSERT INTO dst VALUES (999, 'other')");
            System.out.println("AFTER " + c.execute("SELECT COUNT(*) FROM dst").rows().getFirst()[0]);
            c.close();
            other.close();
        }
    }
}
