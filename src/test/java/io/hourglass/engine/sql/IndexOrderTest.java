package io.hourglass.engine.sql;

import io.hourglass.engine.TestInstances;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.Instance;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.hourglass.engine.TestInstances.rows;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * ORDER BY ... FETCH FIRST n read in a range index's order (what 43_index_order.test shows),
 * where the index holds entries for versions of a row other readers see: each reader gets each
 * row once, where the version it sees sorts; and a queue's FOR UPDATE SKIP LOCKED reads the rows
 * others hold and the next one, not the whole queue.
 */
class IndexOrderTest {

    @Test
    void eachReaderSeesARowWhereItsOwnVersionSorts() {
        try (Instance i = TestInstances.one("IO1"); Connection a = TestInstances.admin(i, "IO1"); Connection b = TestInstances.admin(i, "IO1")) {
            a.execute("CREATE TABLE k (id INTEGER PRIMARY KEY, v INTEGER NOT NULL)");
            a.execute("CREATE INDEX k_v ON k (v)");
            a.execute("INSERT INTO k VALUES (1, 10), (2, 20), (3, 30), (4, 40), (5, 50)");
            String first2 = "SELECT id FROM k ORDER BY v FETCH FIRST 2 ROWS ONLY", last1 = "SELECT id FROM k ORDER BY v DESC FETCH FIRST 1 ROWS ONLY";
            assertEquals(List.of("RANGE INDEX SCAN ADMIN.K_V ON ADMIN.K (whole index) IN ORDER (ORDER BY without a sort, stops at the limit)"),
                    rows(a, "EXPLAIN " + first2));
            // a moves row 5 to the front, uncommitted: the index has it under 5 and under 50
            a.setAutocommit(false);
            a.execute("UPDATE k SET v = 5 WHERE id = 5");
            assertEquals(List.of("5", "1"), rows(a, first2), "its own version, at 5");
            assertEquals(List.of("4"), rows(a, last1));
            assertEquals(List.of("1", "2"), rows(b, first2), "the committed version, at 50: not at 5");
            assertEquals(List.of("5"), rows(b, last1));
            assertEquals(List.of("50|40|5"), rows(b, "SELECT (SELECT MAX(v) FROM k), (SELECT MAX(v) FROM k WHERE id < 5), (SELECT MIN(id) FROM k WHERE v = 50) FROM dual"));
            assertEquals(List.of("5|40"), rows(a, "SELECT MIN(v), MAX(v) FROM k"), "(read and sorted)");
            assertEquals(List.of("40|5"), rows(a, "SELECT (SELECT MAX(v) FROM k), (SELECT MIN(v) FROM k) FROM dual"), "its own version, at 5");
            a.execute("COMMIT");
            assertEquals(List.of("5", "1"), rows(b, first2));
            assertEquals(List.of("4"), rows(b, last1), "not at 50 any more");
            // a row deleted, and one inserted, uncommitted
            a.execute("DELETE FROM k WHERE id = 5");
            a.execute("INSERT INTO k VALUES (6, 1)");
            assertEquals(List.of("6", "1"), rows(a, first2));
            assertEquals(List.of("5", "1"), rows(b, first2));
            a.execute("ROLLBACK");
            // every row comes once, however many versions it has had
            a.setAutocommit(true);
            for (int v = 60; v <= 90; v += 10) a.execute("UPDATE k SET v = " + v + " WHERE id = 2");
            assertEquals(List.of("5", "1", "3", "4", "2"), rows(b, "SELECT id FROM k ORDER BY v FETCH FIRST 10 ROWS ONLY"));
            assertEquals(List.of("2", "4", "3", "1", "5"), rows(b, "SELECT id FROM k ORDER BY v DESC FETCH FIRST 10 ROWS ONLY"));
        }
    }

    /**
     * A worker taking the next job reads the jobs others hold, then takes the first free one:
     * a condition that fails on job 1000 shows it never reads that far, where finding and
     * sorting every job first would.
     */
    @Test
    void aQueueWorkerReadsOnlyPastTheJobsOthersHold() {
        try (Instance i = TestInstances.one("IO2"); Connection setup = TestInstances.admin(i, "IO2");
             Connection holder = TestInstances.admin(i, "IO2"); Connection worker = TestInstances.admin(i, "IO2")) {
            setup.execute("CREATE TABLE jobs (id INTEGER PRIMARY KEY, state INTEGER NOT NULL)");
            setup.execute("CREATE INDEX jobs_state ON jobs (state, id)");
            setup.execute("INSERT INTO jobs SELECT LEVEL, 0 FROM dual CONNECT BY LEVEL <= 1000");
            holder.setAutocommit(false);
            worker.setAutocommit(false);
            assertEquals(100, holder.execute("SELECT id FROM jobs WHERE id <= 100 FOR UPDATE").rows().size());
            String next = "SELECT id FROM jobs WHERE state = 0 AND 1 / (id - 1000) <> 0 ORDER BY id FETCH FIRST 1 ROWS ONLY FOR UPDATE SKIP LOCKED";
            assertEquals(List.of("101"), rows(worker, next));
            assertEquals(List.of("102"), rows(worker, "SELECT id FROM jobs WHERE 1 / (id - 1000) <> 0 AND id > 101"
                    + " ORDER BY id FETCH FIRST 1 ROWS ONLY FOR UPDATE SKIP LOCKED"));
            // from the other end, the last jobs first
            assertEquals(List.of("999", "998"), rows(holder, "SELECT id FROM jobs WHERE state = 0 AND 1 / (id - 1) <> 0 AND id < 1000"
                    + " ORDER BY id DESC FETCH FIRST 2 ROWS ONLY FOR UPDATE SKIP LOCKED"));
            // the worker holds 101 and 102 only: the holder takes 103 without waiting
            assertEquals(List.of("103"), rows(holder, "SELECT id FROM jobs WHERE id = 103 FOR UPDATE NOWAIT"));
            holder.execute("ROLLBACK");
            worker.execute("ROLLBACK");
        }
    }
}
