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
 * One customer's orders, by key and by name, with FROM written both ways: orders (1,000,000 rows,
 * an index on cust) and customers (100,000, primary key id, no index on name). Read orders first,
 * as {@code written=ordersFirst} lists them, the join scans every order; the planner reads the
 * customer first whichever way it is written, so both give the same time. {@code
 * customerByKeyWithNote} adds a LEFT JOIN of notes (one per even customer), which comes last.
 */
@State(Scope.Benchmark)
public class JoinOrderBenchmark {
    @Param("1000000")
    public int orders;

    @Param("100000")
    public int customers;

    @Param({"ordersFirst", "customersFirst"})
    public String written;

    Instance instance;
    Connection c;
    PreparedStatement byKey, byName, byKeyWithNote;
    SplittableRandom random = new SplittableRandom(42);

    @Setup(Level.Trial)
    public void load() {
        instance = Tptbm.open(2048);
        c = Tptbm.connect(instance);
        c.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name VARCHAR2(20))");
        c.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, cust INTEGER, amount INTEGER)");
        c.execute("CREATE INDEX orders_cust ON orders (cust)");
        c.setAutocommit(false);
        PreparedStatement cu = c.prepare("INSERT INTO customers VALUES (?, ?)");
        for (int i = 0; i < customers; i++) {
            c.execute(cu, i, "c" + i);
            if (i % 10_000 == 9_999) c.commit();
        }
        PreparedStatement or = c.prepare("INSERT INTO orders VALUES (?, ?, ?)");
        for (int i = 0; i < orders; i++) {
            c.execute(or, i, i % customers, i % 7);
            if (i % 10_000 == 9_999) c.commit();
        }
        c.execute("CREATE TABLE notes (cust INTEGER PRIMARY KEY, text VARCHAR2(20))");
        c.execute("INSERT INTO notes SELECT id, 'n' || id FROM customers WHERE MOD(id, 2) = 0");
        c.commit();
        c.setAutocommit(true);
        byKeyWithNote = c.prepare("SELECT o.id, o.amount, n.text FROM " + (written.equals("ordersFirst")
                ? "orders o LEFT JOIN notes n ON n.cust = o.cust JOIN customers c ON o.cust = c.id"
                : "customers c JOIN orders o ON o.cust = c.id LEFT JOIN notes n ON n.cust = o.cust") + " WHERE c.id = ?");
        String from = written.equals("ordersFirst") ? "orders o, customers c" : "customers c, orders o";
        byKey = c.prepare("SELECT o.id, o.amount FROM " + from + " WHERE o.cust = c.id AND c.id = ?");
        byName = c.prepare("SELECT o.id, o.amount FROM " + from + " WHERE o.cust = c.id AND c.name = ?");
    }

    @TearDown(Level.Trial)
    public void close() {
        c.close();
        instance.close();
    }

    @Benchmark
    public StatementResult customerByKey() { return c.execute(byKey, random.nextInt(customers)); }

    @Benchmark
    public StatementResult customerByKeyWithNote() { return c.execute(byKeyWithNote, random.nextInt(customers)); }

    @Benchmark
    public StatementResult customerByName() { return c.execute(byName, "c" + random.nextInt(customers)); }
}
