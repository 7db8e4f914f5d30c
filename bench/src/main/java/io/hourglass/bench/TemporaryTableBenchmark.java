package io.hourglass.bench;

import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.DatabaseConfig;
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

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A transaction's working set in a table of its own, on a logged database (files in a temporary
 * directory): {@code rows} rows inserted, read back (a SUM), then gone at the commit.
 * {@code table=temporary}: a GLOBAL TEMPORARY table ON COMMIT DELETE ROWS, whose rows are never
 * logged and which the commit empties; {@code table=permanent}: an ordinary table the transaction
 * empties itself (DELETE) before it commits, every insert and delete logged. {@code durable}: the
 * commit is durable (it waits for the log's sync, if it logged anything).
 */
@State(Scope.Benchmark)
public class TemporaryTableBenchmark {
    @Param("100")
    public int rows;

    @Param({"temporary", "permanent"})
    public String table;

    @Param({"false", "true"})
    public boolean durable;

    private Path dir;
    private Instance instance;
    private Connection c;
    private PreparedStatement insert, sum, empty;
    private long next;

    @Benchmark
    public StatementResult workingSet() {
        for (int k = 0; k < rows; k++) c.execute(insert, next++, k);
        StatementResult r = c.execute(sum);
        if (empty != null) c.execute(empty);
        Connection.join(c.commit(durable));
        return r;
    }

    @Setup(Level.Trial)
    public void open() throws Exception {
        dir = Files.createTempDirectory("hourglass-gtt-bench");
        DatabaseConfig cfg = DatabaseConfig.defaults("GTTBENCH", dir.resolve("gttbench").toString()).withPermSize(512);
        instance = new Instance(Tptbm.PASSWORD, List.of(cfg));
        c = instance.connect("GTTBENCH", "admin", Tptbm.PASSWORD);
        c.execute(table.equals("temporary")
                ? "CREATE GLOBAL TEMPORARY TABLE work (id INTEGER NOT NULL PRIMARY KEY, qty INTEGER) ON COMMIT DELETE ROWS"
                : "CREATE TABLE work (id INTEGER NOT NULL PRIMARY KEY, qty INTEGER)");
        c.setAutocommit(false);
        insert = c.prepare("INSERT INTO work VALUES (?, ?)");
        sum = c.prepare("SELECT SUM(qty) FROM work");
        empty = table.equals("temporary") ? null : c.prepare("DELETE FROM work");
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        c.close();
        instance.close();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
