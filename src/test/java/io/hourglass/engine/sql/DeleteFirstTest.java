package io.hourglass.engine.sql;

import io.hourglass.engine.TestInstances;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.Instance;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.hourglass.engine.TestInstances.rows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * TimesTen's batch delete, {@code DELETE FIRST n}, reads its candidates a batch at a time (about
 * n rows, not every matching row of a large table). These pin what it deletes when a batch falls
 * short because its rows changed while it waited for their locks: it reads further and still
 * deletes n rows if n match, and only rows that match once locked. (04_dml.test pins its SQL.)
 */
class DeleteFirstTest {
    @Test
    void batchesDeleteEveryMatchingRowAndNoOther() {
        try (Instance i = TestInstances.one("DF1"); Connection a = TestInstances.admin(i, "DF1")) {
            a.execute("CREATE TABLE ev (id INTEGER PRIMARY KEY, keep INTEGER)");
            a.execute("INSERT INTO ev SELECT LEVEL, CASE WHEN MOD(LEVEL, 7) = 0 THEN 1 ELSE 0 END FROM dual CONNECT BY LEVEL <= 5000");
            long total = 0, n;
            int batches = 0;
            do {
                n = a.execute("DELETE FIRST 300 FROM ev WHERE keep = 0").updateCount();
                total += n;
                batches++;
                assertEquals(Math.min(300, 4286 - (total - n)), n, "batch " + batches);
            } while (n > 0);
            assertEquals(4286, total, "5000 rows, 714 of them kept");
            assertEquals(java.util.List.of("714|714"), rows(a, "SELECT COUNT(*), SUM(keep) FROM ev"));
            // with a subquery in WHERE, every change is decided first, in one batch
            assertEquals(5, a.execute("DELETE FIRST 5 FROM ev WHERE id IN (SELECT id FROM ev WHERE id > 100)").updateCount());
            assertEquals(java.util.List.of("709"), rows(a, "SELECT COUNT(*) FROM ev"));
        }
    }

    @Test
    void aBatchWhoseRowsChangedWhileItWaitedReadsOn() throws Exception {
        try (Instance i = TestInstances.one("DF2"); Connection a = TestInstances.admin(i, "DF2"); Connection b = TestInstances.admin(i, "DF2")) {
            a.execute("CREATE TABLE ev (id INTEGER PRIMARY KEY, keep INTEGER)");
            a.execute("INSERT INTO ev SELECT LEVEL, 0 FROM dual CONNECT BY LEVEL <= 1000");
            a.setAutocommit(false);
            a.execute("UPDATE ev SET keep = 1 WHERE id <= 100"); // the first rows a batch meets, locked
            CompletableFuture<Long> delete = CompletableFuture.supplyAsync(() -> b.execute("DELETE FIRST 50 FROM ev WHERE keep = 0").updateCount());
            var locks = i.database("DF2").transactions().locks();
            for (int k = 0; k < 2000 && locks.waits() < 1; k++) Thread.sleep(5);
            assertFalse(delete.isDone(), "the delete waits for the first row's lock");
            a.commit().toCompletableFuture().join(); // those rows no longer match: the first batches delete nothing
            assertEquals(50L, delete.get(10, TimeUnit.SECONDS));
            a.setAutocommit(true);
            assertEquals(java.util.List.of("100|1|100"), rows(a, "SELECT COUNT(*), MIN(id), MAX(id) FROM ev WHERE keep = 1"), "none kept deleted");
            assertEquals(java.util.List.of("850|151"), rows(a, "SELECT COUNT(*), MIN(id) FROM ev WHERE keep = 0"), "the next 50 in the table's order");
        }
    }
}
