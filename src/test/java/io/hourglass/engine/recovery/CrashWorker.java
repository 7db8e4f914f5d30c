package io.hourglass.engine.recovery;

import io.hourglass.engine.HourglassException;
import io.hourglass.engine.TestInstances;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.DatabaseConfig;
import io.hourglass.engine.lifecycle.Instance;

import java.io.PrintStream;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The child process of {@link ProcessCrashTest}: runs bank transfers with durable commits until
 * it is killed, printing "ACK id" for each transfer whose commit returned. Args: data directory,
 * round number, threads.
 */
public final class CrashWorker {
    static final int ACCOUNTS = 20;
    static final long INITIAL = 1000;

    private CrashWorker() {}

    static DatabaseConfig config(String dir) {
        return DatabaseConfig.defaults("BANK", dir + "/bank").withLog(8, 1).withDurableCommits(1);
    }

    public static void main(String[] args) throws Exception {
        String dir = args[0];
        long round = Long.parseLong(args[1]);
        int threads = Integer.parseInt(args[2]);
        long checkpointEveryMs = args.length > 3 ? Long.parseLong(args[3]) : 0; // 0: only the automatic ones
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false);
        Instance inst = new Instance(TestInstances.ADMIN_PASSWORD, List.of(config(dir)));
        try (Connection c = inst.connect("BANK", "admin", TestInstances.ADMIN_PASSWORD)) {
            if (c.execute("SELECT COUNT(*) FROM dual WHERE 1 = 1").rows().size() == 1) {
                try {
                    c.execute("SELECT COUNT(*) FROM acct");
                } catch (HourglassException e) {
                    c.execute("CREATE TABLE acct (id INTEGER PRIMARY KEY, bal BIGINT NOT NULL)");
                    c.execute("CREATE TABLE journal (id BIGINT PRIMARY KEY, src INTEGER, dst INTEGER, amt INTEGER)");
                    for (int a = 1; a <= ACCOUNTS; a++) c.execute("INSERT INTO acct VALUES (?, ?)", a, INITIAL);
                }
            }
        }
        synchronized (out) {
            out.println("READY");
            out.flush();
        }
        if (checkpointEveryMs > 0) {
            // Fuzzy checkpoints back to back while the transfers commit, so that a kill also
            // lands in the middle of one (writing blocks, the directory, the header) or of the
            // log purge after it.
            Thread.ofPlatform().daemon().start(() -> {
                try (Connection c = inst.connect("BANK", "admin", TestInstances.ADMIN_PASSWORD)) {
                    while (true) {
                        try {
                            c.execute("CALL ttCkpt()");
                            synchronized (out) {
                                out.println("CKPT");
                                out.flush();
                            }
                        } catch (HourglassException e) {
                            // TT625: the automatic checkpointer's own is running; try again. Any
                            // other failure is the harness's business.
                            if (e.number() != 625) {
                                synchronized (out) {
                                    out.println("CKPTFAIL " + e.getMessage());
                                    out.flush();
                                }
                            }
                        }
                        Thread.sleep(checkpointEveryMs);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        for (int t = 0; t < threads; t++) {
            long thread = t;
            Thread.ofPlatform().start(() -> {
                SplittableRandom r = new SplittableRandom(round * 1000 + thread);
                try (Connection c = inst.connect("BANK", "admin", TestInstances.ADMIN_PASSWORD)) {
                    c.setAutocommit(false);
                    for (long seq = 0; ; seq++) {
                        int a = 1 + r.nextInt(ACCOUNTS), b = 1 + r.nextInt(ACCOUNTS);
                        if (a == b) continue;
                        int amt = 1 + r.nextInt(50);
                        long id = (round << 40) | (thread << 32) | seq;
                        try {
                            c.execute("UPDATE acct SET bal = bal - ? WHERE id = ?", amt, a);
                            c.execute("UPDATE acct SET bal = bal + ? WHERE id = ?", amt, b);
                            c.execute("INSERT INTO journal VALUES (?, ?, ?, ?)", id, a, b, amt);
                            Connection.join(c.commit());
                            synchronized (out) {
                                out.println("ACK " + id);
                                out.flush();
                            }
                        } catch (HourglassException e) {
                            c.rollback(); // a deadlock victim or lock timeout: try another transfer
                        }
                    }
                }
            });
        }
    }
}
