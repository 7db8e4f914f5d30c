package io.hourglass.engine.spi;

import java.util.List;
import java.util.function.Consumer;

/**
 * The backend database that cache groups cache (PostgreSQL, in {@code io.hourglass.cache}).
 * The engine decides what to read and when; the backend knows how to ask its database, and how
 * to keep the change log that incremental autorefresh reads.
 *
 * <p>Values cross this port as the engine's Java values or as the JDBC driver gives them
 * (Integer, Long, BigDecimal, Double, String, byte[], Boolean, LocalDateTime, LocalDate); the
 * engine coerces them to the cache table's column types. Every method may throw {@link Failure}.
 */
public interface CacheBackend {

    /** Opens a session as {@code user} on the backend at {@code url}. */
    Session open(String url, String user, String password);

    /**
     * A table of a cache instance, for {@link Session#fetchInstances}: the columns read, its key
     * columns, and below the root ({@code parent} the index of its parent level, -1 for the root)
     * the columns that reference its parent level's key columns, in their order; with
     * {@code where} (the backend's SQL, or null), only the rows it holds for.
     */
    record Level(String schema, String table, List<String> columns, List<String> keyColumns, List<String> upColumns, int parent, String where) {}

    /**
     * One connection to the backend, used by one thread at a time. Reads and change-log takes
     * run in one backend transaction, begun by the first call after {@link #commit} or
     * {@link #rollback}; DDL-like calls ({@link #installChangeLog}, {@link #dropChangeLog})
     * commit on their own.
     */
    interface Session extends AutoCloseable {
        /** The backend table's column names in order, and its primary key's. Failure if it does not exist. */
        TableInfo describe(String schema, String table);

        /**
         * Every row of the table, {@code columns} in that order, one call of {@code sink} per row;
         * with {@code where} (a condition in the backend's SQL, not null), only the rows it holds for.
         */
        void scan(String schema, String table, List<String> columns, String where, Consumer<Object[]> sink);

        /**
         * The rows whose {@code keyColumns} equal one of {@code keys} (rows in no particular order);
         * with {@code where} (a condition in the backend's SQL, or null), only those it holds for.
         */
        List<Object[]> fetch(String schema, String table, List<String> columns, List<String> keyColumns, List<Object[]> keys, String where);

        /**
         * {@link #fetch}, as the session's only read before its {@link #commit}: outside a
         * transaction, an adapter may run it as a transaction of its own (autocommit), so that the
         * commit after it costs no round trip.
         */
        default List<Object[]> fetchAlone(String schema, String table, List<String> columns, List<String> keyColumns, List<Object[]> keys,
                                          String where) {
            return fetch(schema, table, columns, keyColumns, keys, where);
        }

        /**
         * The rows of whole cache instances: {@code levels.get(0)} (the root table) by its key
         * columns equal to one of {@code rootKeys}; each later level (after its parent level)
         * the rows whose {@link Level#upColumns} equal the key of a row its parent level has
         * among them (and each level's {@link Level#where} holds for). Each level's rows, as
         * {@link #fetchAlone} gives them: as the session's only
         * read before its {@link #commit}, so that an adapter may send every level at once, in
         * one round trip.
         */
        List<List<Object[]>> fetchInstances(List<Level> levels, List<Object[]> rootKeys);

        /**
         * Makes the change log of cache group {@code id}: a table that a trigger on
         * {@code schema.table} fills with the key of every row inserted, updated or deleted,
         * and with a mark (all key values null) when the table is truncated. Idempotent.
         */
        void installChangeLog(String id, String schema, String table, List<String> keyColumns, String description);

        /**
         * Whether the change log of {@code id} and both its triggers on {@code schema.table} are
         * there: a change log that lost any of them has missed changes. Ends its own transaction.
         */
        boolean changeLogIntact(String id, String schema, String table);

        /** Removes the change log and its triggers; nothing happens if they are gone already. */
        void dropChangeLog(String id, String schema, String table);

        /**
         * Takes up to {@code limit} entries out of the change log, oldest first, in the open
         * transaction (they are gone only once it commits, so a refresh that fails and rolls back
         * leaves them for the next one). Each is the key of a changed row; a full-refresh mark
         * has every value null.
         */
        List<Object[]> takeChanges(String id, String schema, List<String> keyColumns, int limit);

        /**
         * An upper bound of the entries in the change log of {@code id} (the span of its
         * sequence numbers), read in the open transaction; 0 when it is empty.
         */
        long changeLogBacklog(String id, String schema);

        /**
         * Deletes, in the open transaction, every entry of the change log of {@code id} that is
         * committed now: a full refresh that reads the table after this covers them all.
         */
        void discardChanges(String id, String schema);

        /**
         * Writes {@code changes} to {@code schema.table} in the open transaction, in order: a
         * change with only a {@code key} deletes that row, with only a {@code row} inserts it,
         * with both updates the row with that key to {@code row} (its key may change too). A
         * delete or update that finds no row, or a statement the backend refuses, is a
         * {@link Failure} and the transaction should be rolled back. {@code columns} name the
         * values of a row, {@code keyColumns} those of a key.
         */
        void write(String schema, String table, List<String> columns, List<String> keyColumns, List<Write> changes);

        /**
         * FLUSH CACHE GROUP: each of {@code rows} ({@code columns} in that order) inserted into
         * {@code schema.table}, or written over the row with its {@code keyColumns} values if there is
         * one, in the open transaction. A row the backend refuses is a {@link Failure}.
         */
        void upsert(String schema, String table, List<String> columns, List<String> keyColumns, List<Object[]> rows);

        /**
         * ASYNCHRONOUS WRITETHROUGH: makes the bookmark of cache group {@code id} in
         * {@code schema}, a one-row table holding the log position up to which the group's
         * changes are in the backend, set to {@code lsn}; one that exists already is left as it
         * is. Commits on its own.
         */
        void installBookmark(String id, String schema, long lsn, String description);

        /** The bookmark of group {@code id}, read in the open transaction; -1 if it is not there. */
        long bookmark(String id, String schema);

        /**
         * Moves the bookmark of {@code id} to {@code lsn} in the open transaction, so it commits
         * with the changes it covers (each change is applied once, whatever fails when). A
         * bookmark that is gone is a Failure.
         */
        void setBookmark(String id, String schema, long lsn);

        /** Removes the bookmark of {@code id}; nothing happens if it is gone already. Commits on its own. */
        void dropBookmark(String id, String schema);

        void commit();

        void rollback();

        @Override
        void close();
    }

    record TableInfo(List<String> columns, List<String> primaryKey) {}

    /** One row change for {@link Session#write}: the key of the row as it was (null: inserted), the row as it is (null: deleted). */
    record Write(Object[] key, Object[] row) {}

    /**
     * A backend call failed. {@code connection}: the backend could not be reached or the
     * connection broke (TT5220); otherwise the backend refused the statement.
     */
    final class Failure extends RuntimeException {
        private final boolean connection;
        private final boolean refusedData;

        public Failure(boolean connection, String message, Throwable cause) {
            this(connection, false, message, cause);
        }

        /**
         * @param refusedData the backend refused the data written (a constraint, a value its
         *                    column cannot hold, a row it does not have): the client's to fix,
         *                    not an outage
         */
        public Failure(boolean connection, boolean refusedData, String message, Throwable cause) {
            super(message, cause);
            this.connection = connection;
            this.refusedData = refusedData;
        }

        public boolean connection() { return connection; }

        public boolean refusedData() { return refusedData; }
    }

    /** No backend: every cache group operation fails with this port's message. */
    CacheBackend NONE = (url, user, password) -> {
        throw new Failure(true, "no cache backend is configured in this process", null);
    };
}
