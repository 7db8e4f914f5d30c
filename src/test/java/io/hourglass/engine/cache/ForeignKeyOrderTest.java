package io.hourglass.engine.cache;

import io.hourglass.engine.TestInstances;
import io.hourglass.engine.catalog.Table;
import io.hourglass.engine.lifecycle.Instance;
import io.hourglass.engine.txn.TransactionManager.RowChange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The order write-through changes of related tables go to the backend in (see {@link ForeignKeyOrder}). */
class ForeignKeyOrderTest {
    private Instance instance;
    private Table parent, child, other;

    @BeforeEach
    void tables() {
        instance = TestInstances.one("FKO");
        var admin = TestInstances.admin(instance, "FKO");
        admin.execute("CREATE TABLE p (id NUMBER NOT NULL PRIMARY KEY, v NUMBER)");
        admin.execute("CREATE TABLE c (id NUMBER NOT NULL PRIMARY KEY, pid NUMBER, FOREIGN KEY (pid) REFERENCES p)");
        admin.execute("CREATE TABLE o (id NUMBER NOT NULL PRIMARY KEY)");
        var cat = instance.database("FKO").catalog();
        parent = cat.table("ADMIN", "P");
        child = cat.table("ADMIN", "C");
        other = cat.table("ADMIN", "O");
    }

    @AfterEach
    void close() { instance.close(); }

    private static Object[] row(Object... values) { return values; }

    private static List<String> names(List<RowChange> changes) {
        List<String> out = new ArrayList<>();
        for (RowChange c : changes) {
            Object[] r = c.after() != null ? c.after() : c.before();
            out.add(c.table().name() + r[0] + (c.before() == null ? "+" : c.after() == null ? "-" : "~"));
        }
        return out;
    }

    @Test
    void aRowGoesAfterTheRowItNowReferencesAndBeforeTheOneItReferencedLeaves() {
        List<RowChange> changes = List.of(
                new RowChange(child, row(10L, 1L), row(10L, 2L)),   // re-pointed to 2, which arrives below
                new RowChange(parent, row(1L, 0L), null),           // 1 leaves: child 10 and 11 referenced it
                new RowChange(other, null, row(7L)),
                new RowChange(parent, null, row(2L, 0L)),
                new RowChange(child, row(11L, 1L), null),
                new RowChange(parent, row(3L, 0L), row(3L, 9L)));   // its key stays: nothing waits for it
        assertEquals(List.of("O7+", "P2+", "C10~", "C11-", "P1-", "P3~"), names(ForeignKeyOrder.of(changes)));
    }

    @Test
    void unrelatedChangesAndOneTableKeepTheTransactionsOrder() {
        List<RowChange> one = List.of(new RowChange(child, null, row(1L, null)), new RowChange(child, row(2L, 5L), null));
        assertSame(one, ForeignKeyOrder.of(one));
        List<RowChange> unrelated = List.of(new RowChange(other, null, row(1L)), new RowChange(parent, null, row(2L, 0L)),
                new RowChange(child, null, row(3L, null)), new RowChange(other, row(4L), null));
        assertEquals(List.of("O1+", "P2+", "C3+", "O4-"), names(ForeignKeyOrder.of(unrelated)));
    }

    @Test
    void aCycleKeepsTheTransactionsOrder() {
        // parent 1's key becomes 2 and its child moves along: each would wait for the other
        List<RowChange> changes = List.of(new RowChange(parent, row(1L, 0L), row(2L, 0L)), new RowChange(child, row(10L, 1L), row(10L, 2L)),
                new RowChange(other, null, row(7L)));
        assertEquals(List.of("O7+", "P2~", "C10~"), names(ForeignKeyOrder.of(changes)), "(a row in no cycle may go first)");
    }
}
