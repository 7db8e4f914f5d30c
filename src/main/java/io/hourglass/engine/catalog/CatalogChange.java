package io.hourglass.engine.catalog;

import java.util.List;

/**
 * One change to a database's schema or users, as DDL makes it and the transaction log records
 * it. The same value is applied live (after checks and privileges) and at recovery (as is), so
 * replay rebuilds exactly the catalog the statements built. Passwords appear only as hashes.
 */
public sealed interface CatalogChange {

    /** A column as declared: type parts, NOT NULL, and the DEFAULT clause's text. */
    record ColumnSpec(String name, TypeKind kind, int length, int precision, int scale, boolean notNull, String defaultSql) {
        public SqlType type() { return new SqlType(kind, length, precision, scale); }

        public static ColumnSpec of(String name, SqlType t, boolean notNull, String defaultSql) {
            return new ColumnSpec(name, t.kind(), t.length(), t.precision(), t.scale(), notNull, defaultSql);
        }
    }

    /** An index: its owner and name, column positions, uniqueness, kind, and whether a constraint owns it. */
    record IndexSpec(String owner, String name, int[] columns, boolean unique, IndexDef.Kind kind, boolean constraint) {}

    /**
     * A FOREIGN KEY constraint of a table: its name (in the child's owner's schema; the index it
     * creates on {@code columns} has that name too), the child's columns, the parent table and its
     * columns (i to i), and its ON DELETE rule. The parent's unique index is found by its columns.
     */
    record ForeignKeySpec(String name, int[] columns, String parentOwner, String parentName, int[] parentColumns,
                          ForeignKey.OnDelete onDelete) {}

    /**
     * CREATE TABLE: its columns, primary key and constraint indexes (the foreign keys' among
     * them), then its foreign keys, which may reference the table itself, and its CHECK
     * constraints; the id its ROWIDs carry ({@link Table#rowIdTag}: the id it was created
     * with, kept when ALTER TABLE gives it a new one); its aging policy, or null; and, for a
     * GLOBAL TEMPORARY table, its ON COMMIT (null for a table of rows of its own).
     */
    record CreateTable(long tableId, String owner, String name, List<ColumnSpec> columns, int[] primaryKey,
                       List<IndexSpec> indexes, List<ForeignKeySpec> foreignKeys, List<CheckSpec> checks, long rowIdTag, Aging aging,
                       Table.OnCommit temporary)
            implements CatalogChange {
        public CreateTable(long tableId, String owner, String name, List<ColumnSpec> columns, int[] primaryKey,
                           List<IndexSpec> indexes, List<ForeignKeySpec> foreignKeys, List<CheckSpec> checks, long rowIdTag, Aging aging) {
            this(tableId, owner, name, columns, primaryKey, indexes, foreignKeys, checks, rowIdTag, aging, null);
        }

        public CreateTable(long tableId, String owner, String name, List<ColumnSpec> columns, int[] primaryKey, List<IndexSpec> indexes) {
            this(tableId, owner, name, columns, primaryKey, indexes, List.of(), List.of());
        }

        /** A table created now: its ROWIDs carry its id. */
        public CreateTable(long tableId, String owner, String name, List<ColumnSpec> columns, int[] primaryKey, List<IndexSpec> indexes,
                           List<ForeignKeySpec> foreignKeys, List<CheckSpec> checks) {
            this(tableId, owner, name, columns, primaryKey, indexes, foreignKeys, checks, tableId, null);
        }
    }

    /** A CHECK constraint: its name and its condition's SQL text, on the table's columns. */
    record CheckSpec(String name, String sql) {}

    /**
     * ALTER TABLE ADD FOREIGN KEY, and how a checkpoint stores every foreign key (after all the
     * tables, which may reference each other in any order). The child's index named after the
     * constraint is used if the table has it, else created empty (see CatalogChanges).
     */
    record AddForeignKey(String owner, String table, ForeignKeySpec foreignKey) implements CatalogChange {}

    /**
     * ALTER TABLE DROP CONSTRAINT: of a foreign key (the constraint and its index go) or of a
     * CHECK constraint (the kind keeps its first name, from when only foreign keys were dropped).
     */
    record DropForeignKey(String owner, String table, String name) implements CatalogChange {}

    /**
     * ALTER TABLE ADD / DROP COLUMN: the table is made anew under {@code newTableId}, its
     * columns those left once {@code dropped} are gone, in their order, then {@code added}. Each
     * row keeps its row id and is written again: a dropped column's value goes, an added column
     * takes its value in {@code fill}, one row image of the added columns (their DEFAULTs,
     * evaluated once when the statement ran, or NULL). Indexes that have a dropped column go;
     * {@code indexes} (an added column's UNIQUE) are created. Foreign keys, CHECK constraints and
     * grants stay. Row records after this one name the new table id.
     */
    record AlterColumns(String owner, String table, long newTableId, List<String> dropped, List<ColumnSpec> added, byte[] fill,
                        List<IndexSpec> indexes) implements CatalogChange {}

    /**
     * ALTER TABLE MODIFY: the table is made anew under {@code newTableId} as ALTER COLUMNS makes
     * it, each column named in {@code modified} redefined (type, NOT NULL, DEFAULT) in its place,
     * and each row's values of those columns converted to their new types (the statement checked
     * that every one converts, and meets NOT NULL). Indexes, foreign keys, CHECK constraints and
     * grants stay.
     */
    record ModifyColumns(String owner, String table, long newTableId, List<ColumnSpec> modified) implements CatalogChange {}

    /**
     * ALTER TABLE MODIFY whose new definitions every stored row already meets as it is (see
     * {@code SqlType.sameImage}): the table keeps its id and rows, its columns take {@code modified}.
     */
    record ModifyColumnsInPlace(String owner, String table, List<ColumnSpec> modified) implements CatalogChange {}

    /**
     * TRUNCATE TABLE: the table is made anew, empty, under {@code newTableId}, with its indexes,
     * foreign keys, CHECK constraints and grants; row records after this one name the new id.
     */
    record TruncateTable(String owner, String table, long newTableId) implements CatalogChange {}

    /**
     * ALTER TABLE ADD AGING, DROP AGING ({@code aging} null) and SET AGING ON | OFF | LIFETIME |
     * CYCLE: the table's whole aging policy as it is after the statement.
     */
    record SetAging(String owner, String table, Aging aging) implements CatalogChange {}

    /**
     * COMMENT ON TABLE (a table's or a view's: {@code column} null) or COMMENT ON COLUMN: the
     * comment's text, or null to remove it.
     */
    record Comment(String owner, String object, String column, String text) implements CatalogChange {}

    /**
     * CREATE [OR REPLACE] [PUBLIC] SYNONYM: {@code owner.name} (owner null for a public one, which
     * no user owns) stands for {@code targetOwner.targetName}, a table, view, sequence or synonym
     * that need not exist yet. Replaces a synonym of that name.
     */
    record CreateSynonym(String owner, String name, String targetOwner, String targetName) implements CatalogChange {}

    /** DROP [PUBLIC] SYNONYM (owner null: a public one). */
    record DropSynonym(String owner, String name) implements CatalogChange {}

    /** ALTER TABLE ADD CHECK. */
    record AddCheck(String owner, String table, CheckSpec check) implements CatalogChange {}

    record DropTable(String owner, String name) implements CatalogChange {}

    /**
     * ALTER TABLE RENAME COLUMN: the column keeps its place, type and values; CHECK constraints
     * that name it are written with the new name.
     */
    record RenameColumn(String owner, String table, String column, String newName) implements CatalogChange {}

    /** RENAME owner.name TO newName (same owner): the table keeps its id; grants follow it. */
    record RenameTable(String owner, String name, String newName) implements CatalogChange {}

    record CreateIndex(String tableOwner, String tableName, IndexSpec index) implements CatalogChange {}

    record DropIndex(String owner, String name) implements CatalogChange {}

    record CreateUser(String name, String passwordHash) implements CatalogChange {}

    record AlterPassword(String name, String passwordHash) implements CatalogChange {}

    record DropUser(String name) implements CatalogChange {}

    /** CREATE or ALTER PROFILE: the profile's password limits after the statement (see {@link Profile}). */
    record SetProfile(String name, java.util.Map<String, String> limits) implements CatalogChange {
        public SetProfile {
            limits = java.util.Map.copyOf(limits);
        }
    }

    /** DROP PROFILE: its users get the DEFAULT profile. */
    record DropProfile(String name) implements CatalogChange {}

    /**
     * A user's account after CREATE or ALTER USER ... PROFILE / ACCOUNT: its profile (null: DEFAULT)
     * and when ACCOUNT LOCK locked it (epoch milliseconds; null: unlocked).
     */
    record UserAccount(String name, String profile, Long lockedAt) implements CatalogChange {}

    /**
     * A user's password state after CREATE USER or ALTER USER (logged after the CreateUser or
     * AlterPassword that set the hash, if any): when the password was set and when PASSWORD EXPIRE
     * expired it (epoch milliseconds; 0: not by hand), and the earlier passwords its profile's reuse limits
     * still forbid, newest first (hashes only).
     */
    record PasswordState(String name, long setAt, long expiredAt, java.util.List<User.OldPassword> history) implements CatalogChange {
        public PasswordState {
            history = java.util.List.copyOf(history);
        }
    }

    /** GRANT ({@code grant}) or REVOKE of a privilege, on a table ({@code owner.name}) or system-wide (null). */
    record Privileges(boolean grant, String user, Privilege privilege, String table) implements CatalogChange {}

    /**
     * ttCkptConfig: the checkpoint settings the database keeps across restarts, overriding the
     * configured CkptFrequency, CkptLogVolume and CkptRate. A null leaves that setting as it was.
     */
    record CheckpointSettings(Integer frequencySeconds, Integer logVolumeMb, Integer rateMbPerSecond) implements CatalogChange {}

    /**
     * ttAgingLRUConfig: LRU aging starts when PermSize in use passes {@code highUsage} (a
     * fraction of PermSize) and deletes down to {@code lowUsage}, checking every {@code
     * cycleMinutes}; the whole setting after the call, kept across restarts.
     */
    record LruAgingSettings(double lowUsage, double highUsage, int cycleMinutes) implements CatalogChange {
        /** TimesTen's defaults: from 90% down to 80%, every minute. */
        public static final LruAgingSettings DEFAULT = new LruAgingSettings(0.8, 0.9, 1);
    }

    /** CREATE SEQUENCE; {@code restart} is the value NEXTVAL gives first (null: exhausted). */
    record CreateSequence(String owner, String name, long increment, long min, long max, boolean cycle, long cache, Long restart)
            implements CatalogChange {}

    record DropSequence(String owner, String name) implements CatalogChange {}

    /** A sequence's restart point: after a crash NEXTVAL resumes here (null: exhausted). */
    record SequenceRestart(String owner, String name, Long restart) implements CatalogChange {}

    /**
     * CREATE VIEW: its query's text, and the names of its columns (empty: the query's own);
     * {@code replace}: CREATE OR REPLACE of a view that exists (its grants stay).
     */
    record CreateView(String owner, String name, List<String> columns, String sql, boolean replace) implements CatalogChange {}

    record DropView(String owner, String name) implements CatalogChange {}

    /**
     * CREATE READONLY CACHE GROUP: the group over its cache table, which a {@link CreateTable}
     * logged just before made (a checkpoint stores it after every table).
     */
    record CreateCacheGroup(CacheGroup group) implements CatalogChange {}

    /** ALTER CACHE GROUP ... SET AUTOREFRESH, and a LOAD or UNLOAD that turns autorefresh ON or PAUSED: the new settings. */
    record AlterCacheGroup(String owner, String name, CacheGroup.Mode mode, long intervalMs, CacheGroup.State state)
            implements CatalogChange {}

    /** DROP CACHE GROUP: the group goes; a {@link DropTable} of its cache table follows. */
    record DropCacheGroup(String owner, String name) implements CatalogChange {}

    /**
     * ttCacheAWTThresholdSet: how many log files ASYNCHRONOUS WRITETHROUGH may keep for changes
     * the backend has not confirmed before its log hold is dropped (0: no limit).
     */
    record AwtThreshold(int logFiles) implements CatalogChange {}

    /** ttCacheStart ({@code true}) and ttCacheStop: the cache agent runs again after a restart if it was running. */
    record CacheAgent(boolean running) implements CatalogChange {}

    /**
     * The first load after a restore: every cache group there is marked restored (see
     * {@link CacheGroup#restored}); logged with a {@code CacheAgent(false)}.
     */
    record RestoredCacheGroups() implements CatalogChange {}
}
