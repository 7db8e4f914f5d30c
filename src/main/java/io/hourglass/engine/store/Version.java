package io.hourglass.engine.store;

/**
 * One version of a row in a slot's version chain, newest first. A committed version carries the
 * commit timestamp of its transaction; an uncommitted one carries {@link #UNCOMMITTED} and the id
 * of the transaction that wrote it, which is the only one that sees it. A null image is a
 * deletion (tombstone).
 *
 * <p>An uncommitted version of a row its transaction inserted also names that transaction
 * ({@link #writer}, opaque to the store): the insert's row lock, implicit until another
 * transaction needs to wait for it (see {@code TransactionManager.lockRow}).
 *
 * <p>The image is immutable. {@link #commitTs} is written once, by the committer under the
 * database's commit lock, before the commit timestamp is published. {@link #prev} is cut by the
 * garbage collector only when no active snapshot can reach the versions behind it.
 */
public final class Version {
    public static final long UNCOMMITTED = Long.MAX_VALUE;

    public final byte[] image;
    public final long ownerTxn;
    private volatile long commitTs;
    private volatile Version prev;
    private Object writer; // cleared before the commit timestamp is written

    public Version(byte[] image, long ownerTxn, Version prev) {
        this(image, ownerTxn, prev, null);
    }

    /** @param writer the transaction whose implicit lock this uncommitted version is, or null */
    public Version(byte[] image, long ownerTxn, Version prev, Object writer) {
        this.image = image;
        this.ownerTxn = ownerTxn;
        this.writer = writer;
        this.commitTs = UNCOMMITTED;
        this.prev = prev;
    }

    /** A version that is committed from the start (loading, recovery). */
    public static Version committed(byte[] image, long commitTs) {
        Version v = new Version(image, 0, null);
        v.commitTs = commitTs;
        return v;
    }

    public long commitTs() { return commitTs; }

    public void markCommitted(long ts) {
        this.writer = null; // the transaction object is not kept alive by what it wrote
        this.commitTs = ts;
    }

    /** The transaction holding this uncommitted version's implicit row lock, or null. */
    public Object writer() { return writer; }

    public boolean isCommitted() { return commitTs != UNCOMMITTED; }

    public Version prev() { return prev; }

    public void cutPrev() { this.prev = null; }

    /**
     * The image visible to a reader with snapshot {@code snapshot} in transaction {@code txnId}:
     * its own uncommitted write if there is one, else the newest version committed at or before
     * the snapshot. Null when the row does not exist for that reader.
     */
    public static byte[] visible(Object slot, long snapshot, long txnId) {
        if (slot instanceof byte[] img) return img;
        Version v = (Version) slot;
        while (v != null) {
            long ts = v.commitTs;
            if (ts == UNCOMMITTED) {
                if (v.ownerTxn == txnId) return v.image;
            } else if (ts <= snapshot) {
                return v.image;
            }
            v = v.prev;
        }
        return null;
    }

    /** A slot's content as a version: a bare image is a version committed before every snapshot. */
    public static Version of(Object slot) {
        if (slot == null || slot instanceof Version) return (Version) slot;
        return committed((byte[]) slot, 0);
    }

    /** The newest committed version in the chain (skipping an uncommitted head), or null. */
    public static Version latestCommitted(Version v) {
        while (v != null && !v.isCommitted()) v = v.prev;
        return v;
    }
}
