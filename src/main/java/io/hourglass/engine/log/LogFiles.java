package io.hourglass.engine.log;

import io.hourglass.engine.spi.StorageIo;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Owns log file names ({@code <name>.log<N>} in the log directory), their creation and their
 * purge. A file appears whole or not at all: it is written under a temporary name, given its
 * full LogFileSize and its header, synced, renamed, and the directory synced (sync order, rule 1).
 *
 * <p>A purged file is kept as a spare ({@code <name>.log<K>.free}, at most {@link #SPARES} of
 * them) and becomes a later file by a new header: its blocks are already allocated and written,
 * so it needs neither the LogFileSize of zeros a new file is written with nor, later, a metadata
 * sync. What it held stays behind its header as records of file K, which the validity rule never
 * takes for records of the file it has become: their stored file number is lower, and their CRCs
 * were salted with another salt (every life of a file has a new random salt, {@link LogFormat}).
 */
public final class LogFiles {
    /** Purged files kept for reuse; more are deleted. */
    public static final int SPARES = 2;

    private final StorageIo io;
    private final Path dir;
    private final String name;
    private final long fileSize;
    private final Pattern pattern;
    private final Pattern sparePattern;
    private final java.util.concurrent.atomic.AtomicLong made = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong reused = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.Map<Integer, Integer> salts = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.security.SecureRandom random = new java.security.SecureRandom();

    public LogFiles(StorageIo io, Path dir, String name, long fileSize) {
        this.io = io;
        this.dir = dir;
        this.name = name;
        this.fileSize = fileSize;
        this.pattern = Pattern.compile(Pattern.quote(name) + "\\.log(\\d+)");
        this.sparePattern = Pattern.compile(Pattern.quote(name) + "\\.log(\\d+)\\.free");
    }

    public Path dir() { return dir; }

    public String name() { return name; }

    public long fileSize() { return fileSize; }

    public StorageIo io() { return io; }

    public Path path(int fileNo) { return dir.resolve(name + ".log" + fileNo); }

    /** Where purged file {@code fileNo} waits to be reused. */
    Path sparePath(int fileNo) { return dir.resolve(name + ".log" + fileNo + ".free"); }

    /** Log files made new (zero-filled) by this object so far. */
    public long made() { return made.get(); }

    /** Log files made from a spare by this object so far. */
    public long reused() { return reused.get(); }

    /** Existing log files by number. Temporary files of a creation under way are not listed. */
    public TreeMap<Integer, Path> list() throws IOException { return list(pattern); }

    /** Spare files by their earlier number. */
    TreeMap<Integer, Path> spares() throws IOException { return list(sparePattern); }

    private TreeMap<Integer, Path> list(Pattern p) throws IOException {
        TreeMap<Integer, Path> out = new TreeMap<>();
        for (Path f : io.list(dir, name + ".log")) {
            Matcher m = p.matcher(f.getFileName().toString());
            if (m.matches()) out.put(Integer.parseInt(m.group(1)), f);
        }
        return out;
    }

    /**
     * Removes the temporary files of log file creations a crash interrupted. Only at load, before
     * the log writer starts: while it runs, such a file is a creation under way.
     */
    public void removeLeftovers() throws IOException {
        for (Path p : io.list(dir, name + ".log")) {
            String f = p.getFileName().toString();
            if (f.endsWith(".tmp") && pattern.matcher(f.substring(0, f.length() - 4)).matches()) io.delete(p);
        }
    }

    /**
     * Creates log file {@code fileNo} if it does not exist yet. Returns once the file and its
     * directory entry are durable. Throws IOException (disk full, for one) and leaves no file.
     */
    public void create(int fileNo, long databaseId) throws IOException {
        create(fileNo, databaseId, fileSize);
    }

    /**
     * Creates log file {@code fileNo} as {@link #create(int, long)} does, syncing the zeros every
     * {@code syncEvery} bytes: made ahead of need while commits sync the current file, a file
     * synced in one piece would put its whole size in the device's queue (and the host's cache
     * flush) ahead of every commit's sync for as long as it takes to write; in slices, a commit's
     * sync waits for one slice at most. The promise is the same: when this returns, the whole
     * file (zeros and header) and its directory entry are durable, and its salt is known
     * ({@link #knownSalt}; read from the header of a file that was there already); on an IOException no file of
     * that name exists (a {@code .tmp} left by a failed delete or a crash goes at the next load,
     * {@link #removeLeftovers}).
     */
    public void create(int fileNo, long databaseId, long syncEvery) throws IOException {
        Path target = path(fileNo);
        if (io.exists(target)) {
            salt(fileNo);
            return;
        }
        io.createDirectories(dir);
        Path tmp = dir.resolve(target.getFileName() + ".tmp");
        if (reuseSpare(fileNo, databaseId, tmp)) {
            io.rename(tmp, target);
            io.syncDirectory(dir);
            reused.incrementAndGet();
            return;
        }
        try (StorageIo.FileHandle h = io.open(tmp, true)) {
            // Zero-fill the whole file now, so appending later never changes its size and an
            // fdatasync has only data to write.
            ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(1 << 20, fileSize));
            long unsynced = 0;
            for (long pos = 0; pos < fileSize; pos += zeros.capacity()) {
                zeros.clear().limit((int) Math.min(zeros.capacity(), fileSize - pos));
                unsynced += zeros.remaining();
                h.write(pos, zeros);
                if (unsynced >= syncEvery && pos + zeros.capacity() < fileSize) {
                    h.sync();
                    unsynced = 0;
                }
            }
            int salt = random.nextInt();
            h.write(0, ByteBuffer.wrap(LogFormat.fileHeader(fileNo, databaseId, System.currentTimeMillis(), -1, salt)));
            salts.put(fileNo, salt);
            h.sync();
        } catch (IOException e) {
            deleteAfter(e, tmp);
            throw e;
        }
        io.rename(tmp, target);
        io.syncDirectory(dir);
        made.incrementAndGet();
    }

    /**
     * The salt of log file {@code fileNo} (see {@link LogFormat}): remembered from its creation,
     * else read from its header. IOException if the file has no intact header.
     */
    public int salt(int fileNo) throws IOException {
        Integer s = salts.get(fileNo);
        if (s != null) return s;
        if (!headerValid(fileNo)) throw new IOException("log file " + path(fileNo) + " has no intact header");
        return salts.get(fileNo);
    }

    /** The salt of a file this object made or has read ({@link #salt}) before. */
    int knownSalt(int fileNo) {
        Integer s = salts.get(fileNo);
        if (s == null) throw new IllegalStateException("the salt of log file " + fileNo + " was never read");
        return s;
    }

    /** Whether log file {@code fileNo} has its own, intact header (its salt is then known). */
    boolean headerValid(int fileNo) throws IOException {
        try (StorageIo.FileHandle h = io.open(path(fileNo), false)) {
            LogFormat.Header header = header(h, fileNo);
            if (header != null) salts.put(fileNo, header.salt());
            return header != null;
        }
    }

    /** The header of the file open in {@code h} if it is intact, says {@code fileNo} and the file has LogFileSize; else null. */
    private LogFormat.Header header(StorageIo.FileHandle h, int fileNo) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(LogFormat.FILE_HEADER);
        return h.size() == fileSize && h.readFully(0, head) == LogFormat.FILE_HEADER
                ? LogFormat.readFileHeader(head.array(), fileNo) : null;
    }

    /**
     * Makes {@code tmp} from a spare, if one fits: a former file of this database with a lower
     * number (so its old records can never pass for records of {@code fileNo}) and of LogFileSize.
     * The spare is renamed to {@code tmp} first, so a crash leaves a leftover that the next load
     * deletes rather than a half-rewritten spare; then it gets its new header, synced. A spare
     * that does not fit is deleted. Returns false when there was none to use.
     */
    private boolean reuseSpare(int fileNo, long databaseId, Path tmp) throws IOException {
        for (var e : spares().entrySet()) {
            int earlier = e.getKey();
            io.rename(e.getValue(), tmp);
            boolean fits = false;
            try (StorageIo.FileHandle h = io.open(tmp, false)) {
                LogFormat.Header old = header(h, earlier);
                if (old != null && old.databaseId() == databaseId && earlier < fileNo) {
                    int salt = random.nextInt();
                    if (salt == old.salt()) salt = ~salt; // never the salt its present records were written with
                    h.write(0, ByteBuffer.wrap(LogFormat.fileHeader(fileNo, databaseId, System.currentTimeMillis(), earlier, salt)));
                    h.sync();
                    salts.put(fileNo, salt);
                    fits = true;
                }
            } catch (IOException ex) {
                deleteAfter(ex, tmp);
                throw ex;
            }
            if (fits) return true;
            io.delete(tmp);
        }
        return false;
    }

    private void deleteAfter(IOException e, Path tmp) {
        try {
            io.delete(tmp);
        } catch (IOException suppressed) {
            e.addSuppressed(suppressed);
        }
    }

    /**
     * Purges the log files numbered below {@code fileNo}: keeps them as spares (up to
     * {@link #SPARES}, the newest) and deletes the rest, or with {@code archive} (LogPurge=0)
     * renames them to {@code <name>.log<N>.arch}. Recovery reads neither. The directory is synced.
     * Returns the numbers purged, lowest first.
     */
    public java.util.List<Integer> purgeBefore(int fileNo, boolean archive) throws IOException {
        java.util.List<Integer> purged = new java.util.ArrayList<>();
        var gone = list().headMap(fileNo, false);
        int keep = archive ? 0 : Math.max(0, SPARES - spares().size());
        for (var e : gone.entrySet()) {
            if (archive) {
                io.rename(e.getValue(), dir.resolve(e.getValue().getFileName() + ".arch"));
            } else if (gone.size() - purged.size() <= keep) {
                io.rename(e.getValue(), sparePath(e.getKey()));
            } else {
                io.delete(e.getValue());
            }
            purged.add(e.getKey());
            salts.remove(e.getKey());
        }
        if (!purged.isEmpty()) io.syncDirectory(dir);
        return purged;
    }
}
