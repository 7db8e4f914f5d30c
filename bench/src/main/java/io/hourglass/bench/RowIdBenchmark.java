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
 * A point read of one row of a {@code rows}-row table, a prepared {@code SELECT name FROM acct
 * WHERE ...} with a random row's key: {@code by=rowid} by its ROWID (read beforehand), {@code
 * by=primaryKey} by its primary key (the table's hash index, as TimesTen makes one with
 * UNIQUE HASH ON), {@code by=range} by a range index on another unique column. {@code
 * aging=lru} gives the table LRU aging (each read then records its row's use), {@code none} none.
 */
@State(Scope.Benchmark)
public class RowIdBenchmark {
    @Param("1000000")
    public int rows;

    @Param({"rowid", "primaryKey", "range"})
    public String by;

    @Param("none")
    public String aging;

    private final SplittableRandom random = new SplittableRandom(42);
    private Instance instance;
    private Connection c;
    private PreparedStatement read;
    private Object[] keys;

    @Benchmark
    public StatementResult pointRead() { return c.execute(read, keys[random.nextInt(keys.length)]); }

    @Setup(Level.Trial)
    public void load() {
        instance = Tptbm.open(2048);
        c = Tptbm.connect(instance);
        c.execute("CREATE TABLE acct (id INTEGER NOT NULL PRIMARY KEY, code INTEGER NOT NULL, name VARCHAR2(20)) UNIQUE HASH ON (id) PAGES = "
                + Math.max(1, rows / 256) + ("lru".equals(aging) ? " AGING LRU" : ""));
        c.execute("CREATE UNIQUE RANGE INDEX acct_code ON acct (code)");
        c.setAutocommit(false);
        PreparedStatement ins = c.prepare("INSERT INTO acct VALUES (?, ?, ?)");
        for (int k = 0; k < rows; k++) {
            c.execute(ins, k, rows - k, "n" + k);
            if (k % 10_000 == 9_999) c.commit();
        }
        c.commit();
        c.setAutocommit(true);
        int n = Math.min(rows, 100_000);
        keys = new Object[n];
        PreparedStatement rowIdOf = c.prepare("SELECT ROWID FROM acct WHERE id = ?");
        for (int i = 0; i < n; i++) {
            int k = random.nextInt(rows);
            keys[i] = switch (by) {
                case "rowid" -> c.execute(rowIdOf, k).rows().getFirst()[0];
                case "primaryKey" -> k;
                default -> rows - k;
            };
        }
        String where = switch (by) {
            case "rowid" -> "ROWID = ?";
            case "primaryKey" -> "id = ?";
            default -> "code = ?";
        };
        read = c.prepare("SELECT name FROM acct WHERE " + where);
        String plan = String.valueOf(c.execute("EXPLAIN SELECT name FROM acct WHERE " + where, keys[0]).rows().getFirst()[0]);
        System.out.println("plan: " + plan);
    }

    @TearDown(Level.Trial)
    public void close() {
        c.close();
        instance.close();
    }
}
