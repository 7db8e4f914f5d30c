package io.hourglass.bench;

import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.DatabaseConfig;
import io.hourglass.engine.lifecycle.Instance;
import io.hourglass.engine.sql.PreparedStatement;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The index stage of a load, for the index kinds users have: a table of {@code rows} rows with a
 * range primary key (TimesTen's default PRIMARY KEY) whose values follow the row order, one whose
 * values do not (a key from elsewhere: an account number, a hash), one with a unique hash
 * key, range primary keys on a string column and on a NUMBER column, out of row order, and a
 * primary key of two columns, a string and an integer, out of row order. Each table is its own
 * database, checkpointed; then loaded {@code loads} times in this JVM, each load's stages printed,
 * and the median of the index stage over the loads after the first. With {@code only}, just the
 * cases whose name contains it.
 *
 * <pre>java -Xms6g -Xmx6g -XX:+UseZGC -cp bench/target/benchmarks.jar io.hourglass.bench.IndexRebuildBench dir [rows] [loads] [only]</pre>
 */
public final class IndexRebuildBench {
    private IndexRebuildBench() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "bench/target/index-rebuild");
        int rows = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        int loads = args.length > 2 ? Integer.parseInt(args[2]) : 6;
        String only = args.length > 3 ? args[3] : "";
        String[][] kinds = {
            {"range key in row order", "CREATE TABLE t (id INTEGER PRIMARY KEY, v VARCHAR2(40))", "ordered"},
            {"range key out of row order", "CREATE TABLE t (id INTEGER PRIMARY KEY, v VARCHAR2(40))", "scattered"},
            {"unique hash key", "CREATE TABLE t (id INTEGER NOT NULL, v VARCHAR2(40), PRIMARY KEY (id)) UNIQUE HASH ON (id) PAGES = "
                    + Math.max(1, rows / 256), "ordered"},
            {"range key on a string out of row order", "CREATE TABLE t (id VARCHAR2(24) PRIMARY KEY, v VARCHAR2(40))", "scattered"},
            {"range key on a NUMBER out of row order", "CREATE TABLE t (id NUMBER(12) PRIMARY KEY, v VARCHAR2(40))", "scattered"},
            // An account's entries: (account, sequence), a few per account, accounts out of row order.
            {"range key on a string and an integer out of row order",
                    "CREATE TABLE t (id VARCHAR2(24), seq INTEGER, v VARCHAR2(40), PRIMARY KEY (id, seq))", "scattered"},
        };
        for (String[] kind : kinds) {
            if (!kind[0].contains(only)) continue;
            Path db = dir.resolve(kind[0].replace(' ', '-'));
            Stats.deleteTree(db);
            Files.createDirectories(db);
            DatabaseConfig cfg = DatabaseConfig.defaults("IR", db.resolve("ir").toString()).withPermSize(2048).withCheckpoints(0, 0, 0);
            try (Instance inst = new Instance(Tptbm.PASSWORD, List.of(cfg)); Connection c = inst.connect("IR", "admin", Tptbm.PASSWORD)) {
                c.execute(kind[1]);
                c.setAutocommit(false);
                boolean pair = kind[1].contains("seq");
                PreparedStatement ins = c.prepare(pair ? "INSERT INTO t VALUES (?, ?, ?)" : "INSERT INTO t VALUES (?, ?)");
                for (int k = 0; k < rows; k++) {
                    // Out of row order: k times an odd constant, modulo 2^32, is a permutation of the ints.
                    long id = kind[2].equals("scattered") ? (int) (k * 0x9E3779B1L) : k;
                    Object key = kind[1].contains("id VARCHAR2") ? "account " + (pair ? Math.floorDiv(id, 4) : id) : id;
                    if (pair) c.execute(ins, key, Math.floorMod(id, 4), "value " + k);
                    else c.execute(ins, key, "value " + k);
                    if (k % 10_000 == 9_999) Connection.join(c.commit());
                }
                Connection.join(c.commit());
                c.setAutocommit(true);
                c.execute("CALL ttCkptBlocking()");
            }
            long[] index = new long[loads];
            for (int i = 0; i < loads; i++) {
                try (Instance inst = new Instance(Tptbm.PASSWORD, List.of(cfg))) {
                    var r = inst.database("IR").recovery();
                    index[i] = r.rebuildNanos();
                    System.out.printf("%s, load %d: %,d rows; image %d ms, log %d ms, indexes %d ms%n", kind[0], i + 1, r.rows(),
                            r.imageNanos() / 1_000_000, r.logNanos() / 1_000_000, r.rebuildNanos() / 1_000_000);
                }
            }
            long[] warm = Arrays.copyOfRange(index, Math.min(1, loads - 1), loads);
            System.out.printf("%s: index stage, median of the loads after the first: %d ms%n", kind[0], Stats.median(warm) / 1_000_000);
            Stats.deleteTree(db);
        }
    }
}
