package io.hourglass.engine.log;

import io.hourglass.engine.spi.StorageIo;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Owns log file names ({@code <name>.log<N>} in the log directory) and their creation. A file
 * appears whole or not at all: it is written under a temporary name, zero-filled to LogFileSize,
 * given its header, synced, renamed, and the directory synced (sync order, rule 1).
 */
public final class LogFiles {
    private final StorageIo io;
    private final Path dir;
    private final String name;
    private final long fileSize;
    private final Pattern pattern;

    public LogFiles(StorageIo io, Path dir, String name, long fileSize) {
        this.io = io;
        this.dir = dir;
        this.name = name;
        this.fileSize = fileSize;
        this.pattern = Pattern.compile(Pattern.quote(name) + "\\.log(\\d+)");
    }

    public Path dir() { return dir; }

    public String name() { return name; }

    public long fileSize() { return fileSize; }

    public StorageIo io() { return io; }

    public Path path(int fileNo) { return dir.resolve(name + ".log" + fileNo); }

    /** Existing log files by number. Temporary files of a creation under way are not listed. */
    public TreeMap<Integer, Path> list() throws IOException {
        TreeMap<Integer, Path> out = new TreeMap<>();
        for (Path p : io.list(dir, name + ".log")) {
            Matcher m = pattern.matcher(p.getFileName().toString());
            if (m.matches()) out.put(Integer.parseInt(m.group(1)), p);
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
     * file (zeros and header) and its directory entry are durable; on an IOException no file of
     * that name exists (a {@code .tmp} left by a failed delete or a crash goes at the next load,
     * {@link #removeLeftovers}).
     */
    public void create(int fileNo, long databaseId, long syncEvery) throws IOException {
        Path target = path(fileNo);
        if (io.exists(target)) return;
        io.createDirectories(dir);
        Path tmp = dir.resolve(target.getFileName() + ".tmp");
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
            h.write(0, ByteBuffer.wrap(LogFormat.fileHeader(fileNo, databaseId, System.currentTimeMillis())));
            h.sync();
        } catch (IOException e) {
            try {
                io.delete(tmp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        io.rename(tmp, target);
        io.syncDirectory(dir);
    }

    /**
     * Purges the log files numbered below {@code fileNo}: deletes them, or with {@code archive}
     * (LogPurge=0) renames them to {@code <name>.log<N>.arch}, which recovery never reads. The
     * directory is synced. Returns the numbers purged, lowest first.
     */
    public java.util.List<Integer> purgeBefore(int fileNo, boolean archive) throws IOException {
        java.util.List<Integer> purged = new java.util.ArrayList<>();
        for (var e : list().headMap(fileNo, false).entrySet()) {
            if (archive) {
                io.rename(e.getValue(), dir.resolve(e.getValue().getFileName() + ".arch"));
            } else {
                io.delete(e.getValue());
            }
            purged.add(e.getKey());
        }
        if (!purged.isEmpty()) io.syncDirectory(dir);
        return purged;
    }
}
