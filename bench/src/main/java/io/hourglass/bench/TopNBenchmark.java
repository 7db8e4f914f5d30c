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
 * ORDER BY with a limit over a {@code rows}-row table: {@code query=page}, the newest 20 rows
 * ({@code ORDER BY code DESC FETCH FIRST 20 ROWS ONLY}); {@code query=queue}, a worker taking the
 * next ready job ({@code WHERE state = 0 ORDER BY id FETCH FIRST 1 ROWS ONLY FOR UPDATE SKIP
 * LOCKED}, rolled back) while another transaction holds the first 100; {@code query=max}, the
 * greatest code ({@code SELECT MAX(code) FROM acct}); {@code query=range}, the least and the
 * greatest ({@code SELECT MIN(code), MAX(code) FROM acct}, a walk from each end). {@code order=index} reads
 * a range index in that order and stops at the limit; {@code order=sort} writes the key as
 * {@code key + 0}, which no index gives, so every matching row is read and the best kept (a
 * top-N heap), as every such query was read before index order.
 */
@State(Scope.Benchmark)
public class TopNBenchmark {
    @Param("1000000")
    public int rows;

    @Param({"page", "queue", "max", "range", "all"})
    public String query;

    @Param({"index", "sort"})
    public String order;

    private Instance instance;
    private Connection c, holder;
    private PreparedStatement read;

    @Benchmark
    public StatementResult topN() {
        StatementResult r = c.execute(read);
        if (query.equals("queue")) c.rollback();
        return r;
    }

    @Setup(Level.Trial)
    public void load() {
        instance = Tptbm.open(2048);
        c = Tptbm.connect(instance);
        c.execute("CREATE TABLE acct (id INTEGER NOT NULL PRIMARY KEY, code INTEGER NOT NULL, state INTEGER NOT NULL, name VARCHAR2(20))");
        c.execute("CREATE UNIQUE INDEX acct_code ON acct (code)");
        c.execute("CREATE INDEX acct_state ON acct (state, id)");
        c.setAutocommit(false);
        PreparedStatement ins = c.prepare("INSERT INTO acct VALUES (?, ?, ?, ?)");
        for (int k = 0; k < rows; k++) {
            c.execute(ins, k, (int) ((k * 2_654_435_761L) % rows), k % 10 == 0 ? 1 : 0, "n" + k); // codes: a permutation
            if (k % 10_000 == 9_999) c.commit();
        }
        c.commit();
        String key = order.equals("index") ? "" : " + 0";
        String sql = switch (query) {
            case "page" -> "SELECT id, name FROM acct ORDER BY code" + key + " DESC FETCH FIRST 20 ROWS ONLY";
            case "max" -> "SELECT MAX(code" + key + ") FROM acct";
            case "range" -> "SELECT MIN(code" + key + "), MAX(code" + key + ") FROM acct";
            case "all" -> "SELECT id, name FROM acct ORDER BY code" + key;
            default -> "SELECT id FROM acct WHERE state = 0 ORDER BY id" + key + " FETCH FIRST 1 ROWS ONLY FOR UPDATE SKIP LOCKED";
        };
        if (query.equals("queue")) {
            holder = Tptbm.connect(instance);
            holder.setAutocommit(false);
            holder.execute("SELECT id FROM acct WHERE state = 0 AND id < 111 FOR UPDATE"); // the first 100 ready jobs
        } else {
            c.setAutocommit(true);
        }
        read = c.prepare(sql);
        System.out.println("plan: " + c.execute("EXPLAIN " + sql).rows().getFirst()[0]);
        System.out.println("rows: " + c.execute(read).rows().size());
        if (query.equals("queue")) c.rollback();
    }

    @TearDown(Level.Trial)
    public void close() {
        if (holder != null) {
            holder.rollback();
            holder.close();
        }
        c.close();
        instance.close();
    }
}
