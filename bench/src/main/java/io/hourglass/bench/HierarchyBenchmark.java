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

import java.util.SplittableRandom;

/**
 * A subtree of a 1,000,000-row tree (employee k reports to (k - 1) / 10: ten reports each, six
 * levels) from a random employee of the fourth level, about 1,100 rows under it, by a
 * hierarchical query ({@code query=connectBy}: {@code START WITH empno = ? CONNECT BY PRIOR empno
 * = mgr}) or by the recursive WITH query that walks the same tree ({@code query=recursiveWith}).
 * {@code mgrIndex=true}: an index on mgr, which each row's children are looked up in; false:
 * none, so the table's rows are read and hashed by mgr once per execution (CONNECT BY) or once
 * per round (the recursive query's join, five rounds).
 */
@State(Scope.Benchmark)
public class HierarchyBenchmark {
    @Param("1000000")
    public int employees;

    @Param({"true", "false"})
    public boolean mgrIndex;

    @Param({"connectBy", "recursiveWith"})
    public String query;

    private final SplittableRandom random = new SplittableRandom(42);
    private Instance instance;
    private Connection c;
    private PreparedStatement subtree;

    /** A fourth-level employee's subtree (ids 111 to 1110 are that level's). */
    @Benchmark
    public StatementResult subtree() { return c.execute(subtree, 111 + random.nextInt(1000)); }

    @Setup(Level.Trial)
    public void load() {
        instance = Tptbm.open(2048);
        c = Tptbm.connect(instance);
        c.execute("CREATE TABLE emp (empno INTEGER PRIMARY KEY, mgr INTEGER, name VARCHAR2(20))");
        if (mgrIndex) c.execute("CREATE INDEX emp_mgr ON emp (mgr)");
        c.setAutocommit(false);
        PreparedStatement ins = c.prepare("INSERT INTO emp VALUES (?, ?, ?)");
        for (int k = 0; k < employees; k++) {
            c.execute(ins, k, k == 0 ? null : (k - 1) / 10, "e" + k);
            if (k % 10_000 == 9_999) c.commit();
        }
        c.commit();
        c.setAutocommit(true);
        subtree = c.prepare(query.equals("connectBy") ? "SELECT COUNT(*), MAX(LEVEL) FROM emp START WITH empno = ? CONNECT BY PRIOR empno = mgr"
                : "WITH RECURSIVE t (empno, lvl) AS (SELECT empno, 1 FROM emp WHERE empno = ? UNION ALL SELECT e.empno, t.lvl + 1"
                + " FROM t JOIN emp e ON e.mgr = t.empno) SELECT COUNT(*), MAX(lvl) FROM t");
    }

    @TearDown(Level.Trial)
    public void close() {
        c.close();
        instance.close();
    }
}
