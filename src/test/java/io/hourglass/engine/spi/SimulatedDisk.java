package io.hourglass.engine.spi;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fault-injecting, in-memory {@link StorageIo} that models what a power loss can do: file
 * contents become durable only at {@code sync}, directory entries only at {@code syncDirectory};
 * unsynced writes may be lost, torn, garbled or reach the disk out of order.
 *
 * <p>Every write, sync, rename and directory sync is a numbered point. {@link #crashAt(int)}
 * cuts the power at that point: the operation fails, every later one fails, and
 * {@link #afterPowerLoss} gives the disk as a restart would find it. {@link #failSyncAt(int)}
 * makes one sync fail with EIO (dropping the data it could not write, as the kernel may), and
 * {@link #capacity(long)} makes file creation run out of space.
 */
public final class SimulatedDisk implements StorageIo {
    /** What happens to writes that were not synced when the power went. */
    public enum Loss { DROP_ALL, TORN_LAST, GARBAGE_LAST, ONLY_LAST, KEEP_ALL }

    private static final class Content {
        byte[] durable = new byte[0];
        final List<long[]> unsyncedPos = new ArrayList<>();   // [position]
        final List<byte[]> unsyncedData = new ArrayList<>();

        long size() {
            long n = durable.length;
            for (int i = 0; i < unsyncedPos.size(); i++) n = Math.max(n, unsyncedPos.get(i)[0] + unsyncedData.get(i).length);
            return n;
        }

        byte[] current() {
            byte[] c = Arrays.copyOf(durable, (int) size());
            for (int i = 0; i < unsyncedPos.size(); i++) {
                System.arraycopy(unsyncedData.get(i), 0, c, (int) unsyncedPos.get(i)[0], unsyncedData.get(i).length);
            }
            return c;
        }

        void syncAll() {
            durable = current();
            unsyncedPos.clear();
            unsyncedData.clear();
        }
    }

    private final Map<Path, Content> entries = new HashMap<>();        // what the running system sees
    private final Map<Path, Content> durableEntries = new HashMap<>(); // what survives a power loss
    private final AtomicInteger points = new AtomicInteger();
    private volatile int crashAt = -1;
    private volatile int failSyncAt = -1;
    private volatile boolean down;
    private java.util.function.Predicate<String> crashMatching;
    private int crashMatchingAt = -1;
    private int matched;
    private volatile long capacity = Long.MAX_VALUE;
    private Map<Path, Content> frozenEntries; // durable state at the power cut
    private final List<String> trace = new ArrayList<>();

    public synchronized SimulatedDisk crashAt(int point) {
        this.crashAt = point;
        return this;
    }

    /**
     * Cuts the power at the {@code n}-th operation whose description matches {@code which}
     * (descriptions as in {@link #trace}, e.g. "write db.ds0 @4096 +512"): a crash inside one
     * file's writes, whatever other threads do meanwhile.
     */
    public synchronized SimulatedDisk crashAtMatching(java.util.function.Predicate<String> which, int n) {
        this.crashMatching = which;
        this.crashMatchingAt = n;
        return this;
    }

    /** How many operations so far matched {@code which}. */
    public synchronized int matching(java.util.function.Predicate<String> which) {
        int n = 0;
        for (String t : trace) if (which.test(t.substring(t.indexOf(' ') + 1))) n++;
        return n;
    }

    public synchronized SimulatedDisk failSyncAt(int point) {
        this.failSyncAt = point;
        return this;
    }

    /** Total bytes all files may occupy; creating or growing past it fails with "No space left". */
    public synchronized SimulatedDisk capacity(long bytes) {
        this.capacity = bytes;
        return this;
    }

    public int points() { return points.get(); }

    public boolean crashed() { return down; }

    public synchronized List<String> trace() { return List.copyOf(trace); }

    /** Cuts the power now: every later operation fails. */
    public synchronized void powerCut() {
        if (!down) {
            down = true;
            frozenEntries = snapshotDurable();
        }
    }

    private Map<Path, Content> snapshotDurable() {
        Map<Path, Content> m = new HashMap<>();
        for (Map.Entry<Path, Content> e : durableEntries.entrySet()) m.put(e.getKey(), e.getValue());
        return m;
    }

    private void point(String what) throws IOException {
        if (down) throw new IOException("simulated power loss (after " + what + ")");
        int n = points.incrementAndGet();
        trace.add(n + " " + what);
        if (crashMatching != null && crashMatching.test(what) && ++matched == crashMatchingAt) {
            powerCut();
            throw new IOException("simulated power loss at point " + n + ": " + what);
        }
        if (n == crashAt) {
            powerCut();
            throw new IOException("simulated power loss at point " + n + ": " + what);
        }
    }

    /**
     * The disk as a restart after the power cut finds it: durable contents and entries, plus what
     * {@code loss} lets through of the unsynced writes. Works on a disk that did not crash too
     * (as if the power went now).
     */
    public synchronized SimulatedDisk afterPowerLoss(Loss loss, long seed) {
        Map<Path, Content> base = frozenEntries != null ? frozenEntries : snapshotDurable();
        Random r = new Random(seed);
        SimulatedDisk d = new SimulatedDisk();
        for (Map.Entry<Path, Content> e : base.entrySet()) {
            Content src = e.getValue();
            Content c = new Content();
            byte[] img = Arrays.copyOf(src.durable, (int) src.size());
            int n = src.unsyncedPos.size();
            for (int i = 0; i < n; i++) {
                long pos = src.unsyncedPos.get(i)[0];
                byte[] data = src.unsyncedData.get(i);
                boolean last = i == n - 1;
                switch (loss) {
                    case DROP_ALL -> { }
                    case KEEP_ALL -> System.arraycopy(data, 0, img, (int) pos, data.length);
                    case ONLY_LAST -> { if (last) System.arraycopy(data, 0, img, (int) pos, data.length); }
                    case TORN_LAST -> {
                        int keep = last ? r.nextInt(data.length + 1) : data.length;
                        System.arraycopy(data, 0, img, (int) pos, keep);
                    }
                    case GARBAGE_LAST -> {
                        if (last) {
                            byte[] g = new byte[data.length];
                            r.nextBytes(g);
                            System.arraycopy(g, 0, img, (int) pos, g.length);
                        } else {
                            System.arraycopy(data, 0, img, (int) pos, data.length);
                        }
                    }
                }
            }
            c.durable = img;
            d.entries.put(e.getKey(), c);
            d.durableEntries.put(e.getKey(), c);
        }
        return d;
    }

    /** Bytes all files occupy now. */
    public synchronized long used() {
        long n = 0;
        for (Content c : entries.values()) n += c.size();
        return n;
    }

    // ---- StorageIo ----------------------------------------------------------------------------

    @Override
    public synchronized FileHandle open(Path file, boolean create) throws IOException {
        if (down) throw new IOException("simulated power loss");
        Content c = entries.get(file);
        if (c == null) {
            if (!create) throw new java.nio.file.NoSuchFileException(file.toString());
            c = new Content();
            entries.put(file, c);
        }
        return new Handle(file, c);
    }

    @Override
    public synchronized boolean exists(Path file) { return entries.containsKey(file); }

    @Override
    public synchronized List<Path> list(Path dir, String prefix) {
        List<Path> out = new ArrayList<>();
        for (Path p : entries.keySet()) {
            if (dir.equals(p.getParent()) && p.getFileName().toString().startsWith(prefix)) out.add(p);
        }
        return out;
    }

    @Override
    public void createDirectories(Path dir) { }

    @Override
    public synchronized void delete(Path file) throws IOException {
        point("delete " + file.getFileName());
        entries.remove(file);
    }

    @Override
    public synchronized void rename(Path from, Path to) throws IOException {
        point("rename " + from.getFileName() + " -> " + to.getFileName());
        Content c = entries.remove(from);
        if (c == null) throw new java.nio.file.NoSuchFileException(from.toString());
        entries.put(to, c);
    }

    @Override
    public synchronized void syncDirectory(Path dir) throws IOException {
        point("syncdir " + dir.getFileName());
        durableEntries.keySet().removeIf(p -> dir.equals(p.getParent()));
        for (Map.Entry<Path, Content> e : entries.entrySet()) {
            if (dir.equals(e.getKey().getParent())) durableEntries.put(e.getKey(), e.getValue());
        }
    }

    private final class Handle implements FileHandle {
        private final Path path;
        private final Content c;

        Handle(Path path, Content c) {
            this.path = path;
            this.c = c;
        }

        @Override
        public void write(long position, ByteBuffer src) throws IOException {
            synchronized (SimulatedDisk.this) {
                point("write " + path.getFileName() + " @" + position + " +" + src.remaining());
                long end = position + src.remaining();
                if (end > c.size() && used() + (end - c.size()) > capacity) throw new IOException("No space left on device");
                byte[] data = new byte[src.remaining()];
                src.get(data);
                c.unsyncedPos.add(new long[] {position});
                c.unsyncedData.add(data);
            }
        }

        @Override
        public int read(long position, ByteBuffer dst) throws IOException {
            synchronized (SimulatedDisk.this) {
                if (down) throw new IOException("simulated power loss");
                byte[] cur = c.current();
                if (position >= cur.length) return -1;
                int n = (int) Math.min(dst.remaining(), cur.length - position);
                dst.put(cur, (int) position, n);
                return n;
            }
        }

        @Override
        public void sync() throws IOException {
            synchronized (SimulatedDisk.this) {
                point("sync " + path.getFileName());
                if (points.get() == failSyncAt) {
                    // EIO: the kernel could not write these pages and has dropped them.
                    c.unsyncedPos.clear();
                    c.unsyncedData.clear();
                    throw new IOException("Input/output error (simulated EIO on fsync)");
                }
                c.syncAll();
            }
        }

        @Override
        public long size() {
            synchronized (SimulatedDisk.this) {
                return c.size();
            }
        }

        @Override
        public void close() { }
    }
}
