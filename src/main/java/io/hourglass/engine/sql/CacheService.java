package io.hourglass.engine.sql;

import io.hourglass.engine.catalog.CacheGroup;

import java.util.List;

/**
 * What cache group statements need from the cache agent of their database (engine.cache): the
 * backend's side of CREATE and DROP CACHE GROUP, and the rows of LOAD, REFRESH and UNLOAD. The
 * statements check names and privileges and keep the catalog; this does the backend work.
 */
public interface CacheService {
    /** A cache table's column names and primary key column names, as CREATE CACHE GROUP gives them. */
    record Shape(List<String> columns, List<String> primaryKey) {}

    /**
     * Before CREATE CACHE GROUP is logged: each backend table exists, has its cache table's
     * columns and primary key ({@code tables}, in the order of {@link CacheGroup#tables()}), and
     * (MODE INCREMENTAL) has its change log and triggers.
     */
    void prepare(CacheGroup group, List<Shape> tables);

    /**
     * After ALTER CACHE GROUP is logged. A group that turns INCREMENTAL or turns ON again gets a
     * full refresh next (its change log did not hold what happened before); one that turns FULL
     * loses its change log, which nothing would read.
     */
    void altered(CacheGroup before, CacheGroup after);

    /** After DROP CACHE GROUP: the group's backend objects go; an unreachable backend is logged, not thrown. */
    void dropped(CacheGroup group);

    /**
     * LOAD ({@code refresh} false: rows not yet cached are inserted) or REFRESH (each cache table
     * is made equal to the backend's rows of cache instances), committing every
     * {@code commitEvery} rows (0: once). With {@code where} (a condition in the backend's SQL on
     * the root table; null for none) only the backend rows it holds for are read, with the rows
     * below them: LOAD inserts those not cached, REFRESH inserts or updates them and deletes no
     * root row. Of an ASYNCHRONOUS WRITETHROUGH group, they first wait, at most
     * {@code waitMillis}, until the backend has every change committed for it (TT90053 then).
     * Returns the rows inserted, updated and deleted.
     */
    long load(CacheGroup group, long commitEvery, boolean refresh, String where, long waitMillis);

    /**
     * A dynamic load (a DYNAMIC group's): of {@code keys}, primary key values of the group's table
     * {@code table} a statement names, those the cache table lacks are read from the backend and
     * inserted with their whole cache instances (found from a child table's rows by their
     * parents' keys, up to the root), committed
     * before the statement reads. Throws (TT5220, TT90049, TT90050) if the backend cannot be
     * read. Of an ASYNCHRONOUS WRITETHROUGH group, a key the cache lacks is read only once the
     * backend has every change committed before (the write-behind may still be deleting it
     * there): it waits up to {@code waitMillis} for them, then TT90053. Returns the rows loaded.
     */
    long dynamicLoad(CacheGroup group, io.hourglass.engine.catalog.Table table, List<Object[]> keys, long waitMillis);

    /**
     * UNLOAD: every cached row (with {@code where}, a condition on the root cache table, the cache
     * instances of the root rows it holds for) is deleted; returns how many.
     */
    long unload(CacheGroup group, String where);

    /**
     * FLUSH CACHE GROUP of a USERMANAGED group: every committed cached row (with {@code where}, a
     * condition on the cache table, those it holds for) written to the backend in one backend
     * transaction, inserted or over the backend's row with its key; rows deleted here are not.
     * Returns how many.
     */
    long flush(CacheGroup group, String where);

    /** The catalog's cache groups or agent state changed: the agent looks again. */
    void changed();

    /**
     * SYNCHRONOUS WRITETHROUGH: writes a transaction's changes of write-through cache tables to
     * the backend and commits them there, before the transaction commits here. Throws (TT5220,
     * TT90049, TT90050) if the backend refuses or cannot be reached; the caller then rolls the
     * transaction back.
     */
    void writeThrough(List<io.hourglass.engine.txn.TransactionManager.RowChange> changes);

    /** ASYNCHRONOUS WRITETHROUGH: a transaction committed changes for the backend, its commit ending at {@code lsn}. */
    default void wroteBehind(long lsn) { }

    /**
     * An ASYNCHRONOUS WRITETHROUGH group's sending: SENDING (its bookmark read: changes go while
     * the agent runs), LOST (past ttCacheAWTThresholdSet: nothing goes until it is loaded again),
     * NOT READ (its bookmark not read since the database was loaded); null for another group.
     */
    default String writeBehindState(CacheGroup group) { return null; }
}
