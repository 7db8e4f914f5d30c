package io.hourglass.engine.sql;

import io.hourglass.engine.HourglassException;
import io.hourglass.engine.TestInstances;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.Instance;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.hourglass.engine.TestInstances.rows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The DML returning clause beyond what 44_returning.test pins: the result's column names and
 * types, ROWIDs, parameters, a cursor's sink, and an UPDATE that waited for a row changed by
 * another transaction returning the values it wrote over that change.
 */
class ReturningTest {
    @Test
    void columnsAreNamedByIntoThenAliasThenAsASelectListNamesThem() {
        try (Instance i = TestInstances.one("RT1"); Connection a = TestInstances.admin(i, "RT1")) {
            a.execute("CREATE TABLE acct (id INTEGER PRIMARY KEY, name VARCHAR2(20), balance NUMBER(10,2))");
            StatementResult r = a.execute("INSERT INTO acct VALUES (?, ?, ?) RETURNING id, balance * 2 AS twice, UPPER(name)", 1, "ann", 5);
            assertEquals(List.of("ID", "TWICE", "UPPER(NAME)"), r.columns().stream().map(ResultColumn::name).toList());
            assertEquals(List.of("TT_INTEGER", "NUMBER"), r.columns().subList(0, 2).stream().map(c -> c.type().toString()).toList());
            assertEquals(1, r.updateCount());
            assertEquals(List.of("1|10|ANN"), text(r));

            StatementResult into = a.execute("UPDATE acct SET balance = balance + ? WHERE id = ? RETURNING balance, name, id INTO :bal, ?, :id", 1, 1);
            assertEquals(List.of("BAL", "NAME", "ID"), into.columns().stream().map(ResultColumn::name).toList(),
                    "INTO's parameters name the values (a ? keeps the value's own name), and are not input parameters");
            assertEquals(List.of("6|ann|1"), text(into));

            StatementResult star = a.execute("DELETE FROM acct RETURNING *");
            assertEquals(List.of("ID", "NAME", "BALANCE"), star.columns().stream().map(ResultColumn::name).toList());
            assertEquals(List.of("1|ann|6"), text(star));
            assertEquals(1, star.updateCount());
        }
    }

    @Test
    void theRowIdReturnedIsTheRowsAsAQueryReadsIt() {
        try (Instance i = TestInstances.one("RT2"); Connection a = TestInstances.admin(i, "RT2")) {
            a.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v VARCHAR2(5))");
            String inserted = (String) a.execute("INSERT INTO t VALUES (1, 'x') RETURNING ROWID").rows().getFirst()[0];
            a.execute("INSERT INTO t VALUES (2, 'y')");
            assertEquals(List.of("1"), rows(a, "SELECT k FROM t WHERE ROWID = '" + inserted + "'"));
            StatementResult updated = a.execute("UPDATE t SET v = 'z' WHERE k = 1 RETURNING ROWID, t.ROWID");
            assertEquals(inserted, updated.rows().getFirst()[0], "an update keeps the row's ROWID");
            assertEquals(inserted, updated.rows().getFirst()[1]);
            List<Object[]> deleted = a.execute("DELETE FROM t RETURNING k, ROWID").rows();
            assertEquals(2, deleted.size());
            assertEquals(List.of(inserted), deleted.stream().filter(d -> ((Number) d[0]).longValue() == 1).map(d -> d[1]).toList());
            assertFalse(deleted.get(0)[1].equals(deleted.get(1)[1]), "two rows, two ROWIDs");
        }
    }

    @Test
    void anUpdateThatWaitedForARowReturnsWhatItWroteOverTheOtherTransactionsChange() throws Exception {
        try (Instance i = TestInstances.one("RT3"); Connection a = TestInstances.admin(i, "RT3"); Connection b = TestInstances.admin(i, "RT3")) {
            a.execute("CREATE TABLE acct (id INTEGER PRIMARY KEY, balance INTEGER)");
            a.execute("INSERT INTO acct VALUES (1, 100), (2, 100)");
            a.setAutocommit(false);
            a.execute("UPDATE acct SET balance = 50 WHERE id = 1");
            CompletableFuture<StatementResult> update = CompletableFuture.supplyAsync(
                    () -> b.execute("UPDATE acct SET balance = balance + 1 WHERE balance >= 50 RETURNING id, balance"));
            var locks = i.database("RT3").transactions().locks();
            for (int k = 0; k < 2000 && locks.waits() < 1; k++) Thread.sleep(5);
            assertFalse(update.isDone(), "the update waits for row 1's lock");
            a.commit().toCompletableFuture().join();
            StatementResult r = update.get(10, TimeUnit.SECONDS);
            assertEquals(List.of("1|51", "2|101"), text(r).stream().sorted().toList(), "row 1 as written over the committed 50");
            assertEquals(2, r.updateCount());
        }
    }

    @Test
    void aCursorGetsTheReturnedRowsThroughItsSink() {
        try (Instance i = TestInstances.one("RT4"); Connection a = TestInstances.admin(i, "RT4")) {
            a.execute("CREATE TABLE t (k INTEGER PRIMARY KEY)");
            List<Object[]> got = new java.util.ArrayList<>();
            List<List<ResultColumn>> header = new java.util.ArrayList<>();
            ResultSink sink = new ResultSink() {
                @Override
                public void columns(List<ResultColumn> columns) { header.add(columns); }

                @Override
                public void row(Object[] row) { got.add(row); }
            };
            StatementResult r = a.execute(a.prepare("INSERT INTO t VALUES (1), (2), (3) RETURNING k * 10 AS ten"), sink);
            assertEquals(List.of("TEN"), header.getFirst().stream().map(ResultColumn::name).toList());
            assertEquals(List.of("10", "20", "30"), got.stream().map(x -> String.valueOf(x[0])).toList());
            assertEquals(3, r.updateCount());
        }
    }

    @Test
    void intoWithManyRowsIsRefusedAndUndoesTheStatement() {
        try (Instance i = TestInstances.one("RT5"); Connection a = TestInstances.admin(i, "RT5")) {
            a.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v INTEGER)");
            HourglassException e = assertThrows(HourglassException.class,
                    () -> a.execute("INSERT INTO t VALUES (1, 1), (2, 2) RETURNING k INTO :k"));
            assertEquals(90062, e.number());
            assertEquals(List.of("0"), rows(a, "SELECT COUNT(*) FROM t"));
            assertEquals(1, a.prepare("UPDATE t SET v = ? RETURNING v INTO :v").parameterCount(), "INTO's :v is no input");
        }
    }

    private static List<String> text(StatementResult r) {
        return r.rows().stream().map(row -> String.join("|", java.util.Arrays.stream(row).map(io.hourglass.engine.catalog.Values::toText).toList()))
                .toList();
    }
}
