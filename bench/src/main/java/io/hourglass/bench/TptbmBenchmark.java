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
 * TimesTen's TPTBM through the embedded engine with prepared statements, one statement per
 * transaction (autocommit): {@link #read} is 100% primary-key reads; {@link #mixed} is 80% reads
 * and 20% updates of last_calling_party; {@link #update}
 * is updates only (for the update latency). Run it through bench/run.sh, which records the machine
 * and the command beside the results.
 */
public class TptbmBenchmark {

    @State(Scope.Benchmark)
    public static class Db {
        @Param("1000000")
        public int rows;

        Instance instance;

        @Setup(Level.Trial)
        public void load() {
            instance = Tptbm.open(4096);
            try (Connection c = Tptbm.connect(instance)) {
                Tptbm.create(c, rows);
            }
        }

        @TearDown(Level.Trial)
        public void close() { instance.close(); }
    }

    @State(Scope.Thread)
    public static class Client {
        Connection c;
        PreparedStatement select, update;
        SplittableRandom random;
        int rows;
        /** Values for last_calling_party, made up front so the benchmark does not time String.format. */
        final String[] callers = new String[1024];

        @Setup(Level.Trial)
        public void connect(Db db) {
            c = Tptbm.connect(db.instance);
            select = c.prepare("SELECT directory_nb, last_calling_party, descr FROM vpn_users WHERE vpn_id = ? AND vpn_nb = ?");
            update = c.prepare("UPDATE vpn_users SET last_calling_party = ? WHERE vpn_id = ? AND vpn_nb = ?");
            random = new SplittableRandom(Thread.currentThread().threadId());
            rows = db.rows;
            for (int i = 0; i < callers.length; i++) callers[i] = String.format("%010d", random.nextInt(1_000_000_000));
        }

        String caller() { return callers[random.nextInt(callers.length)]; }

        @TearDown(Level.Trial)
        public void close() { c.close(); }
    }

    @Benchmark
    public StatementResult read(Client cl) {
        int i = cl.random.nextInt(cl.rows);
        return cl.c.execute(cl.select, i / 1000, i % 1000);
    }

    /** One update transaction: the figure TimesTen publishes as its update latency. */
    @Benchmark
    public StatementResult update(Client cl) {
        int i = cl.random.nextInt(cl.rows);
        return cl.c.execute(cl.update, cl.caller(), i / 1000, i % 1000);
    }

    @Benchmark
    public StatementResult mixed(Client cl) {
        int i = cl.random.nextInt(cl.rows);
        if (cl.random.nextInt(100) < 80) return cl.c.execute(cl.select, i / 1000, i % 1000);
        return cl.c.execute(cl.update, cl.caller(), i / 1000, i % 1000);
    }
}
