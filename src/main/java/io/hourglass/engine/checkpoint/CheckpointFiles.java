package io.hourglass.engine.checkpoint;

import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.HourglassException;
import io.hourglass.engine.catalog.Catalog;
import io.hourglass.engine.catalog.CatalogChange;
import io.hourglass.engine.catalog.Table;
import io.hourglass.engine.log.LogCodec;
import io.hourglass.engine.spi.StorageIo;
import io.hourglass.engine.sql.CatalogChanges;
import io.hourglass.engine.store.Block;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Owns the two checkpoint files of a database, {@code <DataStore>.ds0} and {@code .ds1}: their
 * names, reading their headers, and loading an image into an empty catalog (recovery). Writing
 * is the {@link Checkpointer}'s.
 */
public final class CheckpointFiles {
    private static final int READ_SPAN = 2 << 20;

    private final StorageIo io;
    private final String dataStore;

    public CheckpointFiles(StorageIo io, String dataStore) {
        this.io = io;
        this.dataStore = dataStore;
    }

    public StorageIo io() { return io; }

    public Path path(int fileNo) { return Path.of(dataStore + ".ds" + fileNo); }

    public Path directory() {
        Path p = path(0).toAbsolutePath().getParent();
        return p == null ? Path.of(".") : p;
    }

    /** The file's header if the file exists and its header is intact (complete or not); else null. */
    public CheckpointFormat.Header readHeader(int fileNo) {
        Path p = path(fileNo);
        if (!io.exists(p)) return null;
        try (StorageIo.FileHandle h = io.open(p, false)) {
            byte[] page = new byte[CheckpointFormat.PAGE];
            if (h.readFully(0, ByteBuffer.wrap(page)) < CheckpointFormat.HEADER_BYTES) return null;
            return CheckpointFormat.Header.decode(page, fileNo);
        } catch (IOException e) {
            return null;
        }
    }

    /** What recovery found and loaded; the writer starts from it. */
    public static final class State {
        final CheckpointFormat.Header[] complete = new CheckpointFormat.Header[2];
        final FileLayout[] layouts = new FileLayout[2];

        /** The complete header of file {@code n}, or null. */
        public CheckpointFormat.Header header(int n) { return complete[n]; }

        /** File {@code n} turned out unusable: the writer treats it as incomplete. */
        public void forget(int n) {
            complete[n] = null;
            layouts[n] = null;
        }
    }

    /** The complete headers of both files, newest first. */
    public List<CheckpointFormat.Header> candidates(State state) {
        List<CheckpointFormat.Header> out = new ArrayList<>();
        for (int n = 0; n < 2; n++) {
            CheckpointFormat.Header h = readHeader(n);
            if (h != null && h.complete()) {
                state.complete[n] = h;
                out.add(h);
            }
        }
        out.sort(Comparator.comparingLong(CheckpointFormat.Header::checkpointId).reversed());
        return out;
    }

    /**
     * Loads the image of the file {@code h} describes into {@code into}, an empty catalog: its
     * tables, users and grants, then every block, verifying every checksum. Blocks are read by
     * {@code threads} readers. Throws TT0848 when anything does not match; {@code into} is then
     * unusable and the caller tries the other file.
     */
    public void load(CheckpointFormat.Header h, Catalog into, int threads, State state) {
        Path p = path(h.fileNo());
        // Read around the page cache: the image is read once, in 2 MB spans, into a database that
        // then holds it in memory; through the cache it cost a kernel copy of every byte (most of
        // the reader thread's time at a process start) and left a second copy in the cache.
        try (StorageIo.FileHandle f = io.openForReading(p)) {
            List<CatalogChange> catalog = readCatalog(f, h);
            List<long[]> entries = readDirectory(f, h); // tableId, block, offset, len, capacity, crc, rows
            entries.sort(Comparator.comparingLong(e -> e[2]));
            // The readers start at once; the catalog (tables, users, grants: a cold start's first
            // run of much of the engine's code) is rebuilt while the first spans are read.
            ImageLoader loader = new ImageLoader(f, p, into, entries, Math.max(1, threads));
            loader.startReading();
            try {
                for (CatalogChange c : catalog) CatalogChanges.apply(into, c);
                into.restoreTableIds(h.nextTableId());
            } catch (RuntimeException e) {
                HourglassException why = damaged(p, "its catalog cannot be rebuilt: " + e.getMessage());
                loader.abort(why);
                throw why;
            }
            long rows = loader.run();
            FileLayout layout = new FileLayout();
            layout.catalogOffset = h.catalogOffset();
            layout.catalogCapacity = CheckpointFormat.capacityFor(h.catalogLength());
            layout.directoryOffset = h.directoryOffset();
            layout.directoryCapacity = CheckpointFormat.capacityFor(h.directoryLength());
            if (rows != h.rows()) throw damaged(p, "holds " + rows + " rows, its header says " + h.rows());
            for (long[] e : entries) {
                Table t = into.tableById(e[0]);
                FileLayout.Entry x = new FileLayout.Entry();
                x.offset = e[2];
                x.length = (int) e[3];
                x.capacity = (int) e[4];
                x.crc = (int) e[5];
                x.count = t.store().changeCount((int) e[1]); // as loaded, before the log replays
                x.rows = (int) e[6]; // an unchanged block keeps counting in the next header's rows
                layout.put(e[0], (int) e[1], x);
            }
            layout.rebuildFree();
            state.layouts[h.fileNo()] = layout;
        } catch (IOException e) {
            throw damaged(p, e.toString());
        }
    }

    private static HourglassException damaged(Path p, String why) {
        return ErrorCode.RECOVERY_FAILED.error("checkpoint file " + p + " cannot be used: " + why);
    }

    private List<CatalogChange> readCatalog(StorageIo.FileHandle f, CheckpointFormat.Header h) throws IOException {
        return parseCatalog(section(f, h.catalogOffset(), h.catalogLength(), h.catalogCrc(), "catalog"));
    }

    /** Parses a catalog section ({@code count | count x (len | change)}). */
    public static List<CatalogChange> parseCatalog(ByteBuffer b) throws IOException {
        List<CatalogChange> out = new ArrayList<>();
        try {
            int count = b.getInt();
            for (int i = 0; i < count; i++) {
                int len = b.getInt();
                ByteBuffer one = b.slice(b.position(), len).order(ByteOrder.LITTLE_ENDIAN);
                out.add(LogCodec.decodeChange(one));
                b.position(b.position() + len);
            }
        } catch (RuntimeException e) {
            throw new IOException("unreadable catalog: " + e.getMessage());
        }
        return out;
    }

    private List<long[]> readDirectory(StorageIo.FileHandle f, CheckpointFormat.Header h) throws IOException {
        ByteBuffer b = section(f, h.directoryOffset(), h.directoryLength(), h.directoryCrc(), "directory");
        int count = b.getInt();
        if (count != h.blocks() || (long) count * CheckpointFormat.DIRECTORY_ENTRY != b.remaining()) {
            throw new IOException("directory has a bad entry count " + count);
        }
        List<long[]> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            // tableId, blockNo, offset, len, capacity, crc, and the rows loaded (filled in by the reader)
            out.add(new long[] {b.getLong(), b.getInt(), b.getLong(), b.getInt(), b.getInt(), b.getInt(), 0});
        }
        return out;
    }

    private static ByteBuffer section(StorageIo.FileHandle f, long offset, int len, int crc, String what) throws IOException {
        if (offset < CheckpointFormat.PAGE || len < 4) throw new IOException("bad " + what + " position");
        byte[] data = new byte[len];
        if (f.readFully(offset, ByteBuffer.wrap(data)) != len) throw new IOException(what + " is cut short");
        if (CheckpointFormat.crc(data, 0, len) != crc) throw new IOException(what + " checksum mismatch");
        return ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Loads the blocks of a file as a pipeline: {@link #READERS} threads read the file in spans
     * of up to 2 MB (adjacent records, a few pages of slack between them at most), taking the
     * spans in file order, a few spans ahead of the {@code installers} (CkptReadThreads: the
     * calling thread and the rest), which verify each record's checksum and install its rows.
     * Reading from a cold disk thus overlaps with the installing instead of alternating with it;
     * four readers keep four requests in the device's queue, which direct reads (no readahead)
     * need to reach the disk's speed (a raw probe here, cold 133 MB file: 2 x 4 MB at a time
     * 1.3 GB/s, 4 x 2 MB 1.7 GB/s, medians of six). The readers start before the installers
     * ({@link #startReading}), while the caller rebuilds the catalog.
     */
    private static final class ImageLoader {
        private record Span(byte[] data, long start, int from, int to) {}
        private static final Span END = new Span(null, 0, 0, 0);
        private static final int READERS = 4;

        private final StorageIo.FileHandle f;
        private final Path p;
        private final Catalog into;
        private final List<long[]> entries;
        private final int installers;
        private final java.util.concurrent.BlockingQueue<Span> full;
        private final java.util.concurrent.BlockingQueue<byte[]> free = new java.util.concurrent.LinkedBlockingQueue<>();
        private final int buffers;
        private final List<ReadSpan> spans; // in file order
        private final java.util.concurrent.atomic.AtomicInteger nextSpan = new java.util.concurrent.atomic.AtomicInteger();
        private final java.util.concurrent.atomic.AtomicInteger made = new java.util.concurrent.atomic.AtomicInteger();
        private final java.util.concurrent.atomic.AtomicInteger readersLeft = new java.util.concurrent.atomic.AtomicInteger(READERS);
        private volatile RuntimeException failure;
        private final List<Thread> readers = new ArrayList<>();

        ImageLoader(StorageIo.FileHandle f, Path p, Catalog into, List<long[]> entries, int installers) {
            this.f = f;
            this.p = p;
            this.into = into;
            this.entries = entries;
            this.installers = installers;
            this.buffers = installers + READERS + 1; // each installer busy with one, each reader with one, one ready
            this.full = new java.util.concurrent.ArrayBlockingQueue<>(buffers + installers);
            this.spans = spans(entries);
        }

        /** Entries {@code [from, to)} (sorted by offset), read as one piece: {@code length} bytes at {@code start}. */
        record ReadSpan(int from, int to, long start, int length) {}

        /** The entries (sorted by offset) in read spans: adjacent records up to READ_SPAN together. */
        static List<ReadSpan> spans(List<long[]> entries) {
            List<ReadSpan> out = new ArrayList<>();
            int i = 0;
            while (i < entries.size()) {
                long start = entries.get(i)[2];
                int j = i;
                long spanEnd = start;
                while (j < entries.size() && entries.get(j)[2] + entries.get(j)[3] - start <= READ_SPAN
                        && entries.get(j)[2] - spanEnd <= CheckpointFormat.ALIGN * 4L) {
                    spanEnd = entries.get(j)[2] + entries.get(j)[3];
                    j++;
                }
                if (j == i) j = i + 1; // a single record longer than a span
                long[] last = entries.get(j - 1);
                out.add(new ReadSpan(i, j, start, (int) (last[2] + last[3] - start)));
                i = j;
            }
            return out;
        }

        /** Starts the readers; {@link #run} then installs what they read. */
        void startReading() {
            if (entries.isEmpty()) return;
            for (int r = 0; r < READERS; r++) readers.add(Thread.ofPlatform().daemon().name("hourglass-ckpt-read").start(this::read));
        }

        /** Stops the readers (after a failure before {@link #run}) and waits for them, so the file can be closed. */
        void abort(RuntimeException why) {
            fail(why);
            try {
                for (Thread t : readers) t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Installs every span the readers read, on the calling thread and the other installers; returns the rows. */
        long run() throws IOException {
            if (entries.isEmpty()) return 0;
            List<Thread> others = new ArrayList<>();
            long[] counts = new long[installers];
            for (int i = 1; i < installers; i++) {
                int slot = i;
                others.add(Thread.ofPlatform().daemon().name("hourglass-ckpt-install").start(() -> counts[slot] = install()));
            }
            counts[0] = install();
            try {
                for (Thread t : readers) t.join();
                for (Thread t : others) t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = damaged(p, "interrupted while loading");
            }
            if (failure != null) throw failure;
            long rows = 0;
            for (long c : counts) rows += c;
            return rows;
        }

        /** A reader: the next span not yet taken, until none is left; the last reader to stop sends one END per installer. */
        private void read() {
            try {
                int k;
                while (failure == null && (k = nextSpan.getAndIncrement()) < spans.size()) {
                    ReadSpan span = spans.get(k);
                    long start = span.start();
                    int len = span.length();
                    byte[] buf = free.poll();
                    if (buf == null && made.getAndIncrement() < buffers) {
                        // no larger than the image needs: a small database reads it in one small span
                        long rest = entries.getLast()[2] + entries.getLast()[3] - start;
                        buf = new byte[(int) Math.max(len, Math.min(READ_SPAN, rest))];
                    }
                    while (buf == null && failure == null) buf = free.poll(50, TimeUnit.MILLISECONDS);
                    if (buf == null) break;
                    if (buf.length < len) buf = new byte[len];
                    if (f.readFully(start, ByteBuffer.wrap(buf, 0, len)) != len) throw damaged(p, "a block record is cut short");
                    // Each record is checked here, on the reader that waits on the device anyway,
                    // so the installers (one by default) only install: the checksums of a whole
                    // image are a serial stage's largest cost where CRC32C is not an intrinsic.
                    for (int r = span.from(); r < span.to(); r++) verify(p, entries.get(r), buf, (int) (entries.get(r)[2] - start));
                    hand(new Span(buf, start, span.from(), span.to()));
                }
            } catch (IOException e) {
                fail(damaged(p, e.toString()));
            } catch (RuntimeException e) {
                fail(e);
            } catch (InterruptedException e) {
                fail(damaged(p, "interrupted while loading"));
            } finally {
                if (readersLeft.decrementAndGet() == 0) {
                    for (int k = 0; k < installers; k++) {
                        try {
                            hand(END);
                        } catch (InterruptedException e) {
                            fail(damaged(p, "interrupted while loading"));
                        }
                    }
                }
            }
        }

        /** Queues a span; gives up (dropping it) if an installer failed and the queue stays full. */
        private void hand(Span s) throws InterruptedException {
            while (!full.offer(s, 50, TimeUnit.MILLISECONDS)) {
                if (failure != null) return;
            }
        }

        /** An installer: rows of the spans it takes, until END; after a failure it only drains. */
        private long install() {
            int[] slots = new int[Block.SLOTS];
            byte[][] images = new byte[Block.SLOTS][];
            long rows = 0;
            while (true) {
                Span s;
                try {
                    s = full.poll(50, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    fail(damaged(p, "interrupted while loading"));
                    return rows;
                }
                if (s == null) {
                    if (failure != null) return rows;
                    continue;
                }
                if (s == END) return rows;
                try {
                    if (failure == null) {
                        for (int k = s.from(); k < s.to(); k++) {
                            long[] e = entries.get(k);
                            e[6] = CheckpointFiles.install(p, into, e, s.data(), (int) (e[2] - s.start()), slots, images);
                            rows += e[6];
                        }
                    }
                } catch (RuntimeException e) {
                    fail(e);
                } finally {
                    free.add(s.data());
                }
            }
        }

        private void fail(RuntimeException e) {
            if (failure == null) failure = e;
        }
    }

    /**
     * Checks the block record at {@code at} in {@code span} against its directory entry {@code
     * e}: its length, checksum, table and block, and the checksum of its bytes. TT0848 if not.
     */
    private static void verify(Path p, long[] e, byte[] span, int at) {
        ByteBuffer b = ByteBuffer.wrap(span).order(ByteOrder.LITTLE_ENDIAN);
        int len = b.getInt(at);
        if (len != e[3] || len < CheckpointFormat.BLOCK_HEADER || at + (long) len > span.length) {
            throw damaged(p, "block record at " + e[2] + " has a bad length");
        }
        if (b.getInt(at + 4) != (int) e[5] || b.getLong(at + 8) != e[0] || b.getInt(at + 16) != e[1]) {
            throw damaged(p, "block record at " + e[2] + " does not match the directory");
        }
        if (CheckpointFormat.crc(span, at + 8, len - 8) != (int) e[5]) {
            throw damaged(p, "block record at " + e[2] + ": checksum mismatch");
        }
    }

    /** Installs a record {@link #verify} passed. */
    private static int install(Path p, Catalog into, long[] e, byte[] span, int at, int[] slots, byte[][] images) {
        try {
            return installVerified(into, span, at, slots, images);
        } catch (IOException x) {
            throw damaged(p, "block record at " + e[2] + ": " + x.getMessage());
        }
    }

    /**
     * Verifies one block record ({@code len | crc | tableId | blockNo | rows | rows x (slot |
     * imageLen | image)}) at {@code at} in {@code buf} and installs its rows into its table of
     * {@code into}. Returns the rows installed; IOException when the record is damaged.
     * {@code slots} and {@code images} are scratch arrays of {@link Block#SLOTS}.
     */
    public static int installRecord(Catalog into, byte[] buf, int at, int[] slots, byte[][] images) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN);
        if (at + CheckpointFormat.BLOCK_HEADER > buf.length) throw new IOException("cut short");
        int len = b.getInt(at);
        if (len < CheckpointFormat.BLOCK_HEADER || at + (long) len > buf.length) throw new IOException("bad length " + len);
        if (b.getInt(at + 4) != CheckpointFormat.crc(buf, at + 8, len - 8)) throw new IOException("checksum mismatch");
        return installVerified(into, buf, at, slots, images);
    }

    /** {@link #installRecord} of a record whose length and checksum were checked already. */
    private static int installVerified(Catalog into, byte[] buf, int at, int[] slots, byte[][] images) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN);
        int len = b.getInt(at);
        long tableId = b.getLong(at + 8);
        int blockNo = b.getInt(at + 16);
        int rows = b.getInt(at + 20);
        if (rows < 0 || rows > Block.SLOTS || blockNo < 0) throw new IOException("bad block header");
        Table t = into.tableById(tableId);
        if (t == null) throw new IOException("names unknown table " + tableId);
        int pos = at + CheckpointFormat.BLOCK_HEADER;
        int end = at + len;
        for (int r = 0; r < rows; r++) {
            if (pos + 5 > end) throw new IOException("malformed");
            slots[r] = buf[pos] & 0xFF;
            int n = b.getInt(pos + 1);
            if (n < 0 || pos + 5 + n > end) throw new IOException("malformed");
            images[r] = java.util.Arrays.copyOfRange(buf, pos + 5, pos + 5 + n);
            pos += 5 + n;
        }
        t.store().installBlock(blockNo, rows, slots, images);
        return rows;
    }

    /** Where an exported image goes: its records in order, each self-delimited and checksummed. */
    public interface ImageSink {
        void write(byte[] data, int off, int len) throws IOException;
    }

    /**
     * Exports the image of checkpoint {@code checkpointId} in file {@code fileNo} as a stream of
     * records (docs/FORMAT.md, "Image stream"): first the catalog record ({@code len | crc |
     * catalog section}), then every block record as the file holds it, each checked on the way as
     * a load checks it (length, directory entry, table and block, checksum; IOException if not).
     * The file may be rewritten by a later checkpoint meanwhile: the header is read again at the
     * end, and if the checkpoint is no longer there, IOException (the export is unusable).
     * Returns the header.
     */
    public CheckpointFormat.Header export(int fileNo, long checkpointId, ImageSink out) throws IOException {
        CheckpointFormat.Header h = readHeader(fileNo);
        if (h == null || !h.complete() || h.checkpointId() != checkpointId) {
            throw new IOException(path(fileNo) + " no longer holds checkpoint " + checkpointId);
        }
        Path p = path(fileNo);
        // Read as a load reads: around the page cache, in spans of adjacent records, so that
        // exporting the image does not put the copy of the database that its checkpoint kept
        // out of the cache there after all.
        try (StorageIo.FileHandle f = io.openForReading(p)) {
            ByteBuffer cat = section(f, h.catalogOffset(), h.catalogLength(), h.catalogCrc(), "catalog");
            byte[] rec = new byte[8 + h.catalogLength()];
            ByteBuffer.wrap(rec).order(ByteOrder.LITTLE_ENDIAN).putInt(rec.length).putInt(0).put(cat);
            ByteBuffer.wrap(rec).order(ByteOrder.LITTLE_ENDIAN).putInt(4, CheckpointFormat.crc(rec, 8, rec.length - 8));
            out.write(rec, 0, rec.length);
            List<long[]> entries = readDirectory(f, h);
            entries.sort(Comparator.comparingLong(e -> e[2]));
            byte[] buf = new byte[0];
            for (ImageLoader.ReadSpan span : ImageLoader.spans(entries)) {
                if (buf.length < span.length()) buf = new byte[span.length()];
                if (f.readFully(span.start(), ByteBuffer.wrap(buf, 0, span.length())) != span.length()) {
                    throw new IOException("a block record is cut short");
                }
                for (int k = span.from(); k < span.to(); k++) {
                    long[] e = entries.get(k);
                    int at = (int) (e[2] - span.start());
                    try {
                        verify(p, e, buf, at); // what a load would accept, no less
                    } catch (HourglassException x) {
                        throw new IOException(x.getMessage(), x);
                    }
                    out.write(buf, at, (int) e[3]);
                }
            }
        }
        CheckpointFormat.Header after = readHeader(fileNo);
        if (after == null || !after.equals(h)) throw new IOException(p + " was rewritten while it was exported");
        return h;
    }
}
