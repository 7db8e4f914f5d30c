package io.hourglass.engine.recovery;

import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.HourglassException;
import io.hourglass.engine.checkpoint.CheckpointFiles;
import io.hourglass.engine.checkpoint.CheckpointFormat;
import io.hourglass.engine.log.LogFormat;
import io.hourglass.engine.log.Lsn;
import io.hourglass.engine.catalog.Catalog;
import io.hourglass.engine.catalog.IndexDef;
import io.hourglass.engine.catalog.Table;
import io.hourglass.engine.catalog.TypeKind;
import io.hourglass.engine.catalog.Values;
import io.hourglass.engine.log.LogFiles;
import io.hourglass.engine.log.LogReader;
import io.hourglass.engine.log.LogRecord;
import io.hourglass.engine.sql.CatalogChanges;
import io.hourglass.engine.store.HashIndex;
import io.hourglass.engine.store.Key;
import io.hourglass.engine.store.MemoryAccount;
import io.hourglass.engine.store.RowCodec;
import io.hourglass.engine.txn.TransactionManager;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Rebuilds a database in memory: the newest usable checkpoint image (falling back to the other
 * file if the newest is damaged), then every committed transaction in the log from that image's
 * redo LSN; then free lists, indexes and PermSize use.
 */
public final class Recovery {
    private static final Logger LOG = Logger.getLogger(Recovery.class.getName());

    /**
     * What recovery did.
     *
     * @param log what the log reader found (end, torn tail, last record)
     * @param transactions committed transactions replayed
     * @param discarded transactions without a COMMIT record, ignored
     * @param lastCommitTs the commit timestamp after replay (commits counted in log order)
     * @param nanos the whole recovery; {@code imageNanos}, {@code logNanos} and {@code rebuildNanos}
     *              its three stages: loading the checkpoint image (0 without one), reading and
     *              replaying the log, rebuilding free lists and indexes
     */
    public record Report(LogReader.Result log, long transactions, long discarded, long lastCommitTs, long lastTxnId,
                         long rows, long nanos, long imageNanos, long logNanos, long rebuildNanos, Catalog catalog,
                         CheckpointFormat.Header checkpoint, List<String> rejected, CheckpointFiles.State checkpoints) {
        /** The database id: the log's, else the checkpoint's, else 0 (a new database). */
        public long databaseId() {
            if (log.databaseId() != 0) return log.databaseId();
            return checkpoint == null ? 0 : checkpoint.databaseId();
        }

        /** TT20100: the database was not closed cleanly (its log does not end with a shutdown). */
        public boolean neededAfterCrash() { return !log.empty() && log.lastRecordType() != LogRecord.SHUTDOWN; }
    }

    private Recovery() {}

    /**
     * Recovers into a catalog from {@code newCatalog} (called again if a checkpoint file turns
     * out damaged half way through loading). Throws TT0848 when neither checkpoint file can be
     * used and the log no longer starts at its beginning.
     */
    public static Report run(LogFiles files, CheckpointFiles ckpt, Supplier<Catalog> newCatalog, TransactionManager tm,
                             int threads, int readThreads) throws IOException {
        long t0 = System.nanoTime();
        files.removeLeftovers();
        CheckpointFiles.State state = new CheckpointFiles.State();
        Catalog catalog = null;
        CheckpointFormat.Header used = null;
        List<String> rejected = new ArrayList<>();
        boolean anyCheckpointFile = false;
        if (ckpt != null) {
            for (CheckpointFormat.Header h : ckpt.candidates(state)) {
                Catalog c = newCatalog.get();
                try {
                    ckpt.load(h, c, readThreads, state);
                    catalog = c;
                    used = h;
                    break;
                } catch (HourglassException e) {
                    LOG.warning(e.getMessage() + (rejected.isEmpty() ? "; trying the other checkpoint file" : ""));
                    rejected.add(e.getMessage());
                    state.forget(h.fileNo());
                }
            }
            anyCheckpointFile = files.io().exists(ckpt.path(0)) || files.io().exists(ckpt.path(1));
        }
        long tImage = System.nanoTime();
        long from = Lsn.pack(0, LogFormat.FILE_HEADER);
        if (used != null) {
            from = used.redoLsn();
        } else {
            catalog = newCatalog.get();
            var logs = files.list();
            boolean logFromStart = !logs.isEmpty() && logs.firstKey() == 0;
            if (anyCheckpointFile && !logFromStart) {
                throw ErrorCode.RECOVERY_FAILED.error("no checkpoint file can be used"
                        + (rejected.isEmpty() ? "" : " (" + String.join("; ", rejected) + ")")
                        + " and the log does not reach back to the database's start");
            }
            if (!logs.isEmpty() && !logFromStart) {
                throw ErrorCode.RECOVERY_FAILED.error("the log starts at " + files.path(logs.firstKey())
                        + " but there is no checkpoint file to start from");
            }
        }
        Catalog cat = catalog;
        Map<Long, List<LogRecord>> open = new HashMap<>();
        long[] counts = new long[3]; // transactions, last ts, last txn id
        if (used != null) {
            counts[1] = used.commitTs();
            counts[2] = used.lastTxnId();
        }
        LogReader.Result result = LogReader.read(files, from, r -> {
            counts[2] = Math.max(counts[2], r.txnId());
            switch (r) {
                case LogRecord.Commit c -> {
                    List<LogRecord> batch = open.remove(c.txnId());
                    if (batch != null) for (LogRecord x : batch) apply(cat, x);
                    counts[0]++;
                    counts[1]++; // commit timestamps need only be monotonic: one per commit in log order
                }
                case LogRecord.Rollback rb -> open.remove(rb.txnId());
                case LogRecord.Shutdown s -> { }
                case LogRecord.Opened o -> { }
                default -> open.computeIfAbsent(r.txnId(), k -> new ArrayList<>()).add(r);
            }
        });
        if (used != null && result.databaseId() != 0 && result.databaseId() != used.databaseId()) {
            throw ErrorCode.RECOVERY_FAILED.error("the log in " + files.dir() + " belongs to another database than "
                    + ckpt.path(used.fileNo()));
        }
        long tLog = System.nanoTime();
        long rows = rebuild(catalog, tm.memory(), threads);
        tm.restoreCounters(counts[1], counts[2]);
        long end = System.nanoTime();
        return new Report(result, counts[0], open.size(), counts[1], counts[2], rows, end - t0, tImage - t0, tLog - tImage,
                end - tLog, catalog, used, List.copyOf(rejected), state);
    }

    static void apply(Catalog catalog, LogRecord r) {
        switch (r) {
            case LogRecord.Ddl d -> CatalogChanges.apply(catalog, d.change());
            case LogRecord.RowBefore rb -> { } // for the write-behind to a backend: the memory image has the change already
            case LogRecord.RowImage ri -> {
                Table t = catalog.tableById(ri.tableId());
                if (t == null) throw ErrorCode.RECOVERY_FAILED.error("log record at " + r.lsn() + " names unknown table " + ri.tableId());
                t.store().installAt(ri.rowId(), ri.image());
            }
            case LogRecord.RowDelete rd -> {
                Table t = catalog.tableById(rd.tableId());
                if (t == null) throw ErrorCode.RECOVERY_FAILED.error("log record at " + r.lsn() + " names unknown table " + rd.tableId());
                t.store().clearAt(rd.rowId());
            }
            default -> throw ErrorCode.RECOVERY_FAILED.error("unexpected record " + r);
        }
    }

    /** A table's rows are split into parts of at least this many row ids for a parallel index build. */
    private static final long MIN_PART = 65_536;

    /** Rows whose index entries are added at once (one lock per batch). */
    private static final int BUILD_BATCH = 256;

    /**
     * Free lists, indexes and PermSize use, from the replayed rows. With {@code threads} above
     * one, the indexes are built in parallel, and a large hash index in parts of its table's
     * rows, so that even one big hash primary key uses every thread; a range index is built in
     * one sorted pass (see {@link #buildInKeyOrder}). Each hash index is first sized for its rows,
     * and only key columns are decoded.
     */
    static long rebuild(Catalog catalog, MemoryAccount memory, int threads) {
        long rows = 0;
        List<Runnable> tasks = new ArrayList<>();
        for (Table t : catalog.tables()) {
            t.store().rebuildFreeList();
            long[] stats = new long[2];
            t.store().forEachHead((id, slot) -> {
                stats[0]++;
                stats[1] += ((byte[]) slot).length;
                return true;
            });
            rows += stats[0];
            memory.charge(stats[1] + stats[0] * (MemoryAccount.VERSION_OVERHEAD
                    + (long) t.indexes().size() * MemoryAccount.INDEX_ENTRY_OVERHEAD));
            long high = t.store().highWater();
            int parts = (int) Math.max(1, Math.min(threads, high / MIN_PART));
            for (IndexDef ix : t.indexes()) {
                ix.index().expect(stats[0]);
                boolean[] keyColumns = ix.columnMask(t.codec().columnCount());
                if (ix.index().ordered()) {
                    tasks.add(() -> buildInKeyOrder(t, ix, keyColumns, stats[0]));
                    continue;
                }
                for (int p = 0; p < parts; p++) {
                    long from = high * p / parts, to = high * (p + 1) / parts;
                    if (ix.index() instanceof HashIndex hash) {
                        // Only the keys' hashes, taken from the row images: no value, key or
                        // decoded row is made per row (a million rows made 120 MB of them).
                        tasks.add(() -> {
                            int[] hashes = new int[BUILD_BATCH];
                            long[] ids = new long[BUILD_BATCH];
                            int[] valueHashes = new int[t.codec().columnCount()];
                            int[] n = {0};
                            t.store().forEachHead(from, to, (id, slot) -> {
                                hashes[n[0]] = t.codec().keyHash((byte[]) slot, ix.columns(), keyColumns, valueHashes);
                                ids[n[0]] = id;
                                if (++n[0] == BUILD_BATCH) {
                                    hash.insertNewHashed(hashes, ids, BUILD_BATCH);
                                    n[0] = 0;
                                }
                                return true;
                            });
                            hash.insertNewHashed(hashes, ids, n[0]);
                        });
                        continue;
                    }
                    tasks.add(() -> {
                        Key[] keys = new Key[BUILD_BATCH];
                        long[] ids = new long[BUILD_BATCH];
                        int[] n = {0};
                        t.store().forEachHead(from, to, (id, slot) -> {
                            keys[n[0]] = ix.keyOf(t.codec().decode((byte[]) slot, keyColumns));
                            ids[n[0]] = id;
                            if (++n[0] == BUILD_BATCH) {
                                ix.index().insertNew(keys, ids, BUILD_BATCH);
                                n[0] = 0;
                            }
                            return true;
                        });
                        ix.index().insertNew(keys, ids, n[0]);
                    });
                }
            }
        }
        if (threads <= 1 || tasks.size() <= 1) {
            tasks.forEach(Runnable::run);
        } else {
            try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
                List<Future<?>> fs = new ArrayList<>();
                for (Runnable r : tasks) fs.add(pool.submit(r));
                for (Future<?> f : fs) f.get();
            } catch (Exception e) {
                throw ErrorCode.RECOVERY_FAILED.error("rebuilding indexes: " + e);
            }
        }
        return rows;
    }

    /**
     * An ordered index is filled with its rows sorted by key, so that it can be built in one pass
     * (a skip list searched for each of a million keys in row-id order takes seconds when the keys
     * are random). Keys that were inserted in order, the usual primary key, come back almost
     * sorted and the sort is then one pass; equal keys keep their row-id order.
     */
    private static void buildInKeyOrder(Table t, IndexDef ix, boolean[] keyColumns, long count) {
        if (java.util.Arrays.stream(ix.columns()).allMatch(t.codec()::isInteger)) {
            if (ix.columns().length == 1) buildOnIntegerColumn(t, ix, count);
            else buildOnIntegerColumns(t, ix, count);
            return;
        }
        if (ix.columns().length == 1 && t.codec().isString(ix.columns()[0])) {
            buildOnStringColumn(t, ix, keyColumns, count);
            return;
        }
        buildByWords(t, ix, keyColumns, count);
    }

    /**
     * {@link #buildInKeyOrder} for an index on one integer column, the usual key: the values are
     * read from the row images as longs and sorted with their row ids as two primitive arrays
     * (one pass when they are in order already), and only then made into keys, in order. An
     * object sort with a comparator took about a second for a million keys out of row order.
     * NULLs sort first, equal keys keep their row-id order, as {@link #buildInKeyOrder} gives them.
     */
    private static void buildOnIntegerColumn(Table t, IndexDef ix, long count) {
        int column = ix.columns()[0];
        int cap = Math.toIntExact(count);
        long[] values = new long[cap];
        long[] rowIds = new long[cap];
        RowIds nulls = new RowIds();
        int[] n = {0};
        t.store().forEachHead((id, slot) -> {
            byte[] img = (byte[]) slot;
            if (RowCodec.isNull(img, column)) {
                nulls.add(id);
            } else {
                values[n[0]] = t.codec().integerAt(img, column);
                rowIds[n[0]++] = id;
            }
            return true;
        });
        sortByValue(values, rowIds, n[0]);
        fillNullsFirst(ix, nulls, n[0], i -> values[i], i -> rowIds[i]);
    }

    /** Row ids collected in row order, in an array grown by doubling. */
    private static final class RowIds {
        long[] ids = new long[16];
        int size;

        void add(long id) {
            if (size == ids.length) ids = java.util.Arrays.copyOf(ids, 2 * size);
            ids[size++] = id;
        }
    }

    /**
     * Fills the one-column index {@code ix}: the rows {@code nulls} whose key is NULL first (in
     * row-id order), then {@code n} keys in key order, the i-th {@code value(i)} on row
     * {@code rowId(i)}.
     */
    private static void fillNullsFirst(IndexDef ix, RowIds nulls, int n,
                                       java.util.function.IntFunction<Object> value, java.util.function.IntToLongFunction rowId) {
        int nullCount = nulls.size;
        int total = nullCount + n;
        Key[] keys = new Key[total];
        long[] ids = new long[total];
        for (int i = 0; i < nullCount; i++) {
            keys[i] = new Key(new Object[] {null});
            ids[i] = nulls.ids[i];
        }
        for (int i = 0; i < n; i++) {
            keys[nullCount + i] = new Key(new Object[] {value.apply(i)});
            ids[nullCount + i] = rowId.applyAsLong(i);
        }
        ix.index().fill(keys, ids, total);
    }

    /**
     * {@link #buildOnIntegerColumn} for an index on several integer columns: each column's values
     * in a primitive array (and whether each is NULL), the rows' order found by a stable sort of
     * their positions that compares those arrays, keys made only then, in order.
     */
    private static void buildOnIntegerColumns(Table t, IndexDef ix, long count) {
        int[] columns = ix.columns();
        int k = columns.length;
        int cap = Math.toIntExact(count);
        long[][] values = new long[k][cap];
        boolean[][] nulls = new boolean[k][cap];
        long[] rowIds = new long[cap];
        int[] n = {0};
        t.store().forEachHead((id, slot) -> {
            byte[] img = (byte[]) slot;
            int i = n[0]++;
            for (int c = 0; c < k; c++) {
                if (RowCodec.isNull(img, columns[c])) nulls[c][i] = true;
                else values[c][i] = t.codec().integerAt(img, columns[c]);
            }
            rowIds[i] = id;
            return true;
        });
        int[] order = sortedOrder(values, nulls, n[0]);
        Key[] keys = new Key[n[0]];
        long[] ids = new long[n[0]];
        for (int j = 0; j < n[0]; j++) {
            int p = order[j];
            Object[] v = new Object[k];
            for (int c = 0; c < k; c++) v[c] = nulls[c][p] ? null : (Object) values[c][p];
            keys[j] = new Key(v);
            ids[j] = rowIds[p];
        }
        ix.index().fill(keys, ids, n[0]);
    }

    /**
     * The positions {@code 0..n-1} in the order of the keys they hold (column by column, NULL
     * before any value, as {@link Key#compareTo}), equal keys in position order: a stable
     * bottom-up merge sort.
     */
    static int[] sortedOrder(long[][] values, boolean[][] nulls, int n) {
        return stableOrder(n, (x, y) -> compareRows(values, nulls, x, y));
    }

    /**
     * The positions {@code [0, n)} sorted by {@code compare}, equal ones in position order: a
     * bottom-up merge sort, one pass when they are in order already.
     */
    private static int[] stableOrder(int n, java.util.function.IntBinaryOperator compare) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = i;
        boolean sorted = true;
        for (int i = 1; i < n && sorted; i++) sorted = compare.applyAsInt(i - 1, i) <= 0;
        if (sorted) return a;
        int[] b = new int[n];
        for (int width = 1; width < n; width *= 2) {
            for (int lo = 0; lo < n; lo += 2 * width) {
                int mid = Math.min(lo + width, n), hi = Math.min(lo + 2 * width, n);
                int x = lo, y = mid, out = lo;
                while (x < mid && y < hi) b[out++] = compare.applyAsInt(a[y], a[x]) < 0 ? a[y++] : a[x++];
                while (x < mid) b[out++] = a[x++];
                while (y < hi) b[out++] = a[y++];
            }
            int[] swap = a; a = b; b = swap;
        }
        return a;
    }

    private static int compareRows(long[][] values, boolean[][] nulls, int x, int y) {
        for (int c = 0; c < values.length; c++) {
            boolean nx = nulls[c][x], ny = nulls[c][y];
            if (nx != ny) return nx ? -1 : 1;
            if (!nx) {
                int r = Long.compare(values[c][x], values[c][y]);
                if (r != 0) return r;
            }
        }
        return 0;
    }

    /**
     * {@link #buildInKeyOrder} for an index on one string column (CHAR, VARCHAR2): an object sort
     * took 3 s for a million keys out of row order, every comparison chasing four references per
     * side to memory the cache did not hold. The values are sorted by {@link #stringOrder}, NULLs
     * first, equal keys in row-id order, as {@link #buildInKeyOrder} gives them.
     */
    private static void buildOnStringColumn(Table t, IndexDef ix, boolean[] keyColumns, long count) {
        int column = ix.columns()[0];
        int cap = Math.toIntExact(count);
        String[] values = new String[cap];
        long[] rowIds = new long[cap];
        RowIds nulls = new RowIds();
        int[] n = {0};
        t.store().forEachHead((id, slot) -> {
            Object v = t.codec().decode((byte[]) slot, keyColumns)[column];
            if (v == null) {
                nulls.add(id);
            } else {
                values[n[0]] = (String) v;
                rowIds[n[0]++] = id;
            }
            return true;
        });
        int[] order = stringOrder(values, n[0]);
        fillNullsFirst(ix, nulls, n[0], i -> copyInKeyOrder(values[order[i]]), i -> rowIds[order[i]]);
    }

    /**
     * A copy of {@code s}, for a key made in key order: the keys and their strings then lie in
     * memory in the order the index is built and searched in (the values were made in row order).
     */
    private static String copyInKeyOrder(String s) {
        return new String(s.toCharArray());
    }

    /**
     * The positions of {@code values[0, n)} in key order ({@link Values#compare}: trailing blanks
     * ignored, then code points, a prefix first), equal values in position order. Each value
     * gets two sort words, its first eight code units past the prefix that all the values share
     * ({@link #sortWord}); a stable merge sort moves the words with the positions and compares
     * the strings themselves only where both words tie (one pass when they are in order).
     */
    static int[] stringOrder(String[] values, int n) {
        int[] lengths = new int[n];
        int common = trimmedLengths(values, n, lengths);
        long[] hi = new long[n], lo = new long[n];
        int[] pos = new int[n];
        for (int i = 0; i < n; i++) {
            hi[i] = sortWord(values[i], lengths[i], common);
            lo[i] = sortWord(values[i], lengths[i], common + 4);
            pos[i] = i;
        }
        boolean sorted = true; // keys written in order come back in order: one pass
        for (int i = 1; i < n && sorted; i++) {
            sorted = hi[i - 1] != hi[i] ? Long.compareUnsigned(hi[i - 1], hi[i]) < 0
                    : lo[i - 1] != lo[i] ? Long.compareUnsigned(lo[i - 1], lo[i]) < 0 : Values.compare(values[i - 1], values[i]) <= 0;
        }
        if (sorted) return pos;
        long[] hi2 = new long[n], lo2 = new long[n];
        int[] pos2 = new int[n];
        for (int width = 1; width < n; width *= 2) {
            for (int start = 0; start < n; start += 2 * width) {
                int mid = Math.min(start + width, n), end = Math.min(start + 2 * width, n);
                int a = start, b = mid, out = start;
                while (a < mid && b < end) {
                    int c = hi[b] != hi[a] ? Long.compareUnsigned(hi[b], hi[a]) : lo[b] != lo[a] ? Long.compareUnsigned(lo[b], lo[a])
                            : Values.compare(values[pos[b]], values[pos[a]]);
                    int from = c < 0 ? b++ : a++; // the left one first when equal: stable
                    hi2[out] = hi[from];
                    lo2[out] = lo[from];
                    pos2[out++] = pos[from];
                }
                for (; a < mid; a++, out++) {
                    hi2[out] = hi[a];
                    lo2[out] = lo[a];
                    pos2[out] = pos[a];
                }
                for (; b < end; b++, out++) {
                    hi2[out] = hi[b];
                    lo2[out] = lo[b];
                    pos2[out] = pos[b];
                }
            }
            long[] t = hi; hi = hi2; hi2 = t;
            t = lo; lo = lo2; lo2 = t;
            int[] p = pos; pos = pos2; pos2 = p;
        }
        return pos;
    }

    /**
     * Sets {@code lengths[i]} to the length of string {@code values[i]} without its trailing
     * blanks (which comparisons ignore) and returns the length of the prefix that all of them
     * share within those lengths; NULLs ({@code null}) are passed over.
     */
    private static int trimmedLengths(Object[] values, int n, int[] lengths) {
        int common = Integer.MAX_VALUE;
        String first = null;
        for (int i = 0; i < n; i++) {
            if (!(values[i] instanceof String s)) continue;
            int len = s.length();
            while (len > 0 && s.charAt(len - 1) == ' ') len--;
            lengths[i] = len;
            if (first == null) first = s;
            int limit = Math.min(common, len);
            int same = 0;
            while (same < limit && s.charAt(same) == first.charAt(same)) same++;
            common = same;
        }
        return common == Integer.MAX_VALUE ? 0 : common;
    }

    /**
     * {@link #buildInKeyOrder} for the keys the paths above do not take (several columns with a
     * string among them, NUMBER, BINARY_DOUBLE, DATE, TIMESTAMP, VARBINARY): the key columns'
     * values are decoded once, in row order, each gets a sort word ({@link #keyOrder}), and the
     * keys are made in key order (strings copied, so that they lie in memory in that order too).
     */
    private static void buildByWords(Table t, IndexDef ix, boolean[] keyColumns, long count) {
        int[] columns = ix.columns();
        int cap = Math.toIntExact(count);
        Object[][] values = new Object[columns.length][cap];
        long[] rowIds = new long[cap];
        int[] n = {0};
        t.store().forEachHead((id, slot) -> {
            Object[] row = t.codec().decode((byte[]) slot, keyColumns);
            for (int c = 0; c < columns.length; c++) values[c][n[0]] = row[columns[c]];
            rowIds[n[0]++] = id;
            return true;
        });
        TypeKind[] kinds = new TypeKind[columns.length];
        for (int c = 0; c < columns.length; c++) kinds[c] = t.codec().kind(columns[c]);
        int[] order = keyOrder(values, kinds, n[0]);
        Key[] keys = new Key[n[0]];
        long[] ids = new long[n[0]];
        for (int i = 0; i < n[0]; i++) {
            Object[] v = new Object[columns.length];
            for (int c = 0; c < columns.length; c++) {
                Object x = values[c][order[i]];
                v[c] = x instanceof String str ? copyInKeyOrder(str) : x;
            }
            keys[i] = new Key(v);
            ids[i] = rowIds[order[i]];
        }
        ix.index().fill(keys, ids, n[0]);
    }

    /**
     * The positions of the keys {@code values[column][0, n)} in {@link Key} order (column by
     * column, NULLs first, {@link Values#compare}), equal keys in position order: a stable merge
     * sort comparing one sort word per column and value, an order-preserving long (a smaller
     * word means a smaller value), and for a string column a second word, its next four code
     * units (keys such as {@code 'account 1234567'} share long starts: with one word, groups of
     * hundreds tied and were compared as strings); where the words are equal the values are
     * compared, unless the word is the whole value (integers, BINARY_DOUBLE).
     */
    static int[] keyOrder(Object[][] values, TypeKind[] kinds, int n) {
        int k = values.length;
        long[][] words = new long[k][n];
        long[][] next = new long[k][]; // a string column's second word
        boolean[] exact = new boolean[k], unsigned = new boolean[k];
        for (int c = 0; c < k; c++) {
            Object[] col = values[c];
            long[] w = words[c];
            switch (kinds[c]) {
                case TINYINT, SMALLINT, INTEGER, BIGINT -> {
                    exact[c] = true;
                    for (int i = 0; i < n; i++) if (col[i] != null) w[i] = (Long) col[i];
                }
                case DOUBLE -> {
                    exact[c] = true; // the same order as Double.compare, which Values.compare uses for doubles
                    for (int i = 0; i < n; i++) if (col[i] != null) w[i] = sortableBits((Double) col[i]);
                }
                case NUMBER -> { // rounding to the nearest double keeps the order (ties compared)
                    for (int i = 0; i < n; i++) if (col[i] != null) w[i] = sortableBits(((java.math.BigDecimal) col[i]).doubleValue());
                }
                case DATE, TIMESTAMP -> {
                    for (int i = 0; i < n; i++) {
                        if (col[i] != null) w[i] = ((java.time.LocalDateTime) col[i]).toEpochSecond(java.time.ZoneOffset.UTC);
                    }
                }
                case CHAR, VARCHAR -> {
                    unsigned[c] = true;
                    int[] lengths = new int[n];
                    int common = trimmedLengths(col, n, lengths);
                    long[] w2 = next[c] = new long[n];
                    for (int i = 0; i < n; i++) {
                        if (col[i] == null) continue;
                        w[i] = sortWord((String) col[i], lengths[i], common);
                        w2[i] = sortWord((String) col[i], lengths[i], common + 4);
                    }
                }
                case VARBINARY -> {
                    unsigned[c] = true; // the first eight bytes, big-endian, zeros past the end
                    for (int i = 0; i < n; i++) {
                        if (col[i] == null) continue;
                        byte[] b = ((io.hourglass.engine.store.Bytes) col[i]).data();
                        for (int j = 0; j < 8; j++) w[i] = w[i] << 8 | (j < b.length ? b[j] & 0xFF : 0);
                    }
                }
                default -> { } // every word 0: the values decide
            }
        }
        return stableOrder(n, (x, y) -> compareKeys(values, words, next, exact, unsigned, x, y));
    }

    private static int compareKeys(Object[][] values, long[][] words, long[][] next, boolean[] exact, boolean[] unsigned,
                                   int x, int y) {
        for (int c = 0; c < values.length; c++) {
            Object vx = values[c][x], vy = values[c][y];
            if (vx == null || vy == null) {
                if (vx != vy) return vx == null ? -1 : 1;
                continue;
            }
            long wx = words[c][x], wy = words[c][y];
            if (wx != wy) return unsigned[c] ? Long.compareUnsigned(wx, wy) : Long.compare(wx, wy);
            if (next[c] != null && next[c][x] != next[c][y]) return Long.compareUnsigned(next[c][x], next[c][y]);
            if (!exact[c]) {
                int r = Values.compare(vx, vy);
                if (r != 0) return r;
            }
        }
        return 0;
    }

    /** A double's bits as a long that orders as {@link Double#compare} orders the doubles. */
    private static long sortableBits(double d) {
        long bits = Double.doubleToLongBits(d);
        return bits ^ (bits >> 63 & Long.MAX_VALUE);
    }

    /**
     * Code units {@code [from, from + 4)} of {@code s}'s first {@code len}, 16 bits each as
     * {@link Values#codeUnitRank} ranks them (code point order), 0 past the end: unsigned, a
     * smaller word means a smaller string; equal words tell nothing (a string that ends there and
     * one that goes on with U+0000 have the same word).
     */
    private static long sortWord(String s, int len, int from) {
        long w = 0;
        for (int i = from; i < from + 4; i++) w = w << 16 | (i < len ? Values.codeUnitRank(s.charAt(i)) : 0);
        return w;
    }

    /** Sorts {@code values[0, n)} and their {@code rowIds} alike, stably (a bottom-up merge sort). */
    static void sortByValue(long[] values, long[] rowIds, int n) {
        boolean sorted = true;
        for (int i = 1; i < n && sorted; i++) sorted = values[i - 1] <= values[i];
        if (sorted) return;
        long[] v = values, r = rowIds, v2 = new long[n], r2 = new long[n];
        for (int width = 1; width < n; width *= 2) {
            for (int lo = 0; lo < n; lo += 2 * width) {
                int mid = Math.min(lo + width, n), hi = Math.min(lo + 2 * width, n);
                int a = lo, b = mid, out = lo;
                while (a < mid && b < hi) {
                    if (v[b] < v[a]) {  // the left one first when equal: stable
                        v2[out] = v[b];
                        r2[out++] = r[b++];
                    } else {
                        v2[out] = v[a];
                        r2[out++] = r[a++];
                    }
                }
                while (a < mid) {
                    v2[out] = v[a];
                    r2[out++] = r[a++];
                }
                while (b < hi) {
                    v2[out] = v[b];
                    r2[out++] = r[b++];
                }
            }
            long[] tv = v; v = v2; v2 = tv;
            long[] tr = r; r = r2; r2 = tr;
        }
        if (v != values) {
            System.arraycopy(v, 0, values, 0, n);
            System.arraycopy(r, 0, rowIds, 0, n);
        }
    }
}
