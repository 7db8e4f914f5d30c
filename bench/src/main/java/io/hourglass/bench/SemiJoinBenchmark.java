package io.hourglass.bench;

import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.Instance;
import io.hourglass.engine.sql.PreparedStatement;
import io.hourglass.engine.sql.StatementResult;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A small table's keys against a large one: MERGE from a table and from a query, UPDATE ...
 * WHERE id IN (subquery) and a count with EXISTS, each as one autocommitted statement. With
 * {@code plan=semi} they are written so that the large table is read through its primary key
 * with the small table's keys (a semi-join); with {@code plan=scan} the same statements compare
 * {@code t.id + 0}, which no index answers, so the large table is scanned: the A/B of the access
 * path, on the same data. Every source key is in the target, so the MERGE inserts nothing and
 * each run does the same work.
 */
@State(Scope.Benchmark)
public class SemiJoinBenchmark {
    @Param("1000000")
    public int targetRows;

    @Param("1000")
    public int sourceRows;

    @Param({"semi", "scan"})
    public String plan;

    Instance instance;
    Connection c;
    PreparedStatement merge, mergeQuery, updateIn, countExists;

    @Setup(Level.Trial)
    public void load() {
        instance = Tptbm.open(2048);
        c = Tptbm.connect(instance);
        c.execute("CREATE TABLE target (id INTEGER PRIMARY KEY, v INTEGER, note VARCHAR2(20))");
        c.execute("CREATE TABLE source (id INTEGER PRIMARY KEY, v INTEGER)");
        c.setAutocommit(false);
        PreparedStatement t = c.prepare("INSERT INTO target VALUES (?, ?, 'row')");
        for (int i = 0; i < targetRows; i++) {
            c.execute(t, i, i);
            if (i % 10_000 == 9_999) c.commit();
        }
        PreparedStatement s = c.prepare("INSERT INTO source VALUES (?, 1)");
        long step = targetRows / sourceRows;
        for (int i = 0; i < sourceRows; i++) c.execute(s, i * step + step / 2);
        c.commit();
        c.setAutocommit(true);
        String id = plan.equals("semi") ? "t.id" : "t.id + 0";
        merge = c.prepare("MERGE INTO target t USING source s ON (" + id + " = s.id) WHEN MATCHED THEN UPDATE SET t.v = s.v"
                + " WHEN NOT MATCHED THEN INSERT (id, v, note) VALUES (s.id, s.v, 'new')");
        mergeQuery = c.prepare("MERGE INTO target t USING (SELECT id, v + 1 AS v FROM source) s ON (" + id + " = s.id)"
                + " WHEN MATCHED THEN UPDATE SET t.v = s.v");
        updateIn = c.prepare("UPDATE target t SET v = v + 1 WHERE " + id + " IN (SELECT id FROM source)");
        countExists = c.prepare("SELECT COUNT(*) FROM target t WHERE EXISTS (SELECT 1 FROM source s WHERE s.id = " + id + ")");
    }

    @TearDown(Level.Trial)
    public void close() {
        c.close();
        instance.close();
    }

    @Benchmark
    public StatementResult mergeFromTable() { return c.execute(merge); }

    @Benchmark
    public StatementResult mergeFromQuery() { return c.execute(mergeQuery); }

    @Benchmark
    public StatementResult updateWhereIn() { return c.execute(updateIn); }

    @Benchmark
    public StatementResult countWhereExists() { return c.execute(countExists); }
}
