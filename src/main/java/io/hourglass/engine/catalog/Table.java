package io.hourglass.engine.catalog;

import io.hourglass.engine.store.RowCodec;
import io.hourglass.engine.store.RowStore;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A table: its columns, its rows, its indexes and its foreign keys. Columns never change after
 * creation (ALTER TABLE changes constraints only); the index and constraint lists are
 * copy-on-write so readers plan without locks.
 */
public final class Table {
    private final long id;
    private final long rowIdTag;
    private final String owner;
    private volatile String name; // RENAME changes it (the catalog, under its monitor); the table stays the same object
    private volatile List<Column> columns; // a MODIFY that leaves every row's image as it is changes them in place
    private final int[] primaryKey; // column positions, empty when none
    private final RowStore store = new RowStore();
    private volatile RowCodec codec;
    private final List<IndexDef> indexes = new CopyOnWriteArrayList<>();
    private final List<ForeignKey> foreignKeys = new CopyOnWriteArrayList<>();
    private final List<ForeignKey> referencedBy = new CopyOnWriteArrayList<>();
    private final List<Check> checks = new CopyOnWriteArrayList<>();

    /**
     * A CHECK constraint: its name, its condition's SQL text, and the condition compiled against
     * this table's row (TRUE, FALSE or NULL; only FALSE violates it).
     */
    public record Check(String name, String sql, java.util.function.Function<Object[], Object> condition) {}
    private volatile String[] labels; // "OWNER.TABLE.COLUMN", for error messages
    private volatile boolean retired;
    private volatile TableSizes sizes; // the last ttComputeTabSizes of it, or null
    private volatile Aging aging; // its aging policy, or null; the catalog sets it under its monitor
    private volatile OnCommit temporary; // a GLOBAL TEMPORARY table's ON COMMIT, or null for a table of rows of its own
    private final Table definition; // the GLOBAL TEMPORARY table this is a session's instance of, or null
    private List<IndexDef> copiedIndexes; // an instance's: the definition's indexes it copied
    /** A definition's instances, one per session that used it: who holds rows, for DDL to refuse (see {@link #instance}). */
    private final java.util.Set<Table> instances = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * What a GLOBAL TEMPORARY table's instance keeps at the end of a transaction that commits:
     * nothing (DELETE ROWS, TimesTen's default: the rows last a transaction) or its rows (PRESERVE
     * ROWS: they last the session). Ordinals are in the log: never reorder.
     */
    public enum OnCommit { DELETE_ROWS, PRESERVE_ROWS }

    public Table(long id, String owner, String name, List<Column> columns, int[] primaryKey) {
        this(id, id, owner, name, columns, primaryKey);
    }

    public Table(long id, long rowIdTag, String owner, String name, List<Column> columns, int[] primaryKey) {
        this(id, rowIdTag, owner, name, columns, primaryKey, null);
    }

    private Table(long id, long rowIdTag, String owner, String name, List<Column> columns, int[] primaryKey, Table definition) {
        this.definition = definition;
        this.id = id;
        this.rowIdTag = rowIdTag;
        this.owner = owner;
        this.name = name;
        this.columns = List.copyOf(columns);
        this.primaryKey = primaryKey;
        SqlType[] types = new SqlType[columns.size()];
        for (int i = 0; i < types.length; i++) types[i] = columns.get(i).type();
        this.codec = new RowCodec(types);
        this.labels = labels(owner, name, columns);
    }

    private static String[] labels(String owner, String name, List<Column> columns) {
        String[] out = new String[columns.size()];
        for (int i = 0; i < out.length; i++) out[i] = owner + "." + name + "." + columns.get(i).name();
        return out;
    }

    /**
     * ALTER TABLE MODIFY of definitions every stored image already meets as it is (a longer
     * VARCHAR2, a DEFAULT, NULL or NOT NULL...): the same columns, by name and kind, take their
     * new definitions; the rows, indexes and constraints stay.
     */
    void redefine(List<Column> newColumns) {
        if (newColumns.size() != columns.size()) throw new IllegalArgumentException("a redefinition keeps the columns");
        SqlType[] types = new SqlType[newColumns.size()];
        for (int i = 0; i < types.length; i++) {
            if (newColumns.get(i).type().kind() != columns.get(i).type().kind()) {
                throw new IllegalArgumentException("a redefinition keeps each column's kind: " + columns.get(i).name());
            }
            types[i] = newColumns.get(i).type();
        }
        codec = new RowCodec(types);
        columns = List.copyOf(newColumns);
        labels = labels(owner, name, columns);
    }

    /** RENAME: the table keeps its id, rows, indexes, constraints and grants under the new name. */
    void rename(String newName) {
        name = newName;
        labels = labels(owner, newName, columns);
    }

    public long id() { return id; }

    /**
     * Whether this is a query's stand-in for a view, a derived table, a system view or DUAL (id
     * -1): no rows of its own, no ROWIDs. (Instances of GLOBAL TEMPORARY tables have ids below -1.)
     */
    public boolean standIn() { return id == -1; }

    /**
     * The id this table's ROWIDs carry ({@link RowIds}): the id it was created with. ALTER TABLE
     * ADD or DROP COLUMN gives the table a new id and keeps this, so its rows keep their ROWIDs.
     */
    public long rowIdTag() { return rowIdTag; }

    public String owner() { return owner; }

    public String name() { return name; }

    public String qualifiedName() { return owner + "." + name; }

    public List<Column> columns() { return columns; }

    public int[] primaryKey() { return primaryKey; }

    public RowStore store() { return store; }

    public RowCodec codec() { return codec; }

    public List<IndexDef> indexes() { return indexes; }

    /** The CHECK constraints of this table, in the order they were declared. */
    public List<Check> checks() { return checks; }

    /** The FOREIGN KEY constraints of this table (it is their child). */
    public List<ForeignKey> foreignKeys() { return foreignKeys; }

    /** The FOREIGN KEY constraints that reference this table (it is their parent), its own included. */
    public List<ForeignKey> referencedBy() { return referencedBy; }

    /** The constraint {@code name} (upper-cased already) among this table's foreign keys, or null. */
    public ForeignKey foreignKey(String name) {
        for (ForeignKey fk : foreignKeys) if (fk.name().equals(name)) return fk;
        return null;
    }

    /** Position of a column by its (already upper-cased) name, or -1. */
    public int columnIndex(String column) {
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).name().equals(column)) return i;
        }
        return -1;
    }

    public String columnLabel(int i) { return labels[i]; }

    /**
     * Whether the table left the catalog (dropped, or replaced by its new definition): what it
     * holds in PermSize was given back at once, so the collector gives none of it back again.
     */
    public boolean retired() { return retired; }

    /** See {@link #retired()}; the transaction manager sets it under its commit lock. */
    public void retire() { retired = true; }

    /** What the last ttComputeTabSizes of the table found, or null (kept in memory: a reload forgets it). */
    public TableSizes sizes() { return sizes; }

    public void sizes(TableSizes s) { sizes = s; }

    /** The table's aging policy (time-based or LRU), or null for none. */
    public Aging aging() { return aging; }

    /** Sets the policy; {@link Catalog#refreshUsageTracking} then says whether the rows' use is tracked. */
    void aging(Aging a) { aging = a; }

    /** A GLOBAL TEMPORARY table's ON COMMIT (its instances' too), or null for a table of rows of its own. */
    public OnCommit temporary() { return temporary; }

    void temporary(OnCommit onCommit) { temporary = onCommit; }

    /**
     * The GLOBAL TEMPORARY table this is one session's instance of, or null: an instance holds
     * that session's rows under the definition's name, columns, indexes and CHECK constraints,
     * with an id of its own (its locks are its own) and its definition's ROWID tag; its rows are
     * never logged nor checkpointed.
     */
    public Table definition() { return definition; }

    /**
     * A new instance of this GLOBAL TEMPORARY table for one session, under {@code id} (one no
     * table of the catalog has): empty, with indexes of its own like this table's, registered
     * among {@link #instances()} until {@link #dropInstance}.
     */
    public Table instance(long id) {
        if (temporary == null || definition != null) throw new IllegalStateException(this + " is no GLOBAL TEMPORARY table");
        Table t = new Table(id, rowIdTag, owner, name, columns, primaryKey, this);
        t.temporary = temporary;
        t.copiedIndexes = List.copyOf(indexes);
        for (IndexDef ix : t.copiedIndexes) t.indexes.add(new IndexDef(ix.owner(), ix.name(), ix.columns(), ix.unique(), ix.kind(), ix.constraint()));
        t.checks.addAll(checks);
        instances.add(t);
        return t;
    }

    /** The session that made {@code instance} is done with it (it holds no rows any more, or they go with it). */
    public void dropInstance(Table instance) { instances.remove(instance); }

    /** This GLOBAL TEMPORARY table's instances that sessions hold now. */
    public java.util.Collection<Table> instances() { return java.util.Collections.unmodifiableSet(instances); }

    /**
     * Whether this instance was made from its definition as it is now: the same name, columns,
     * indexes and CHECK constraints (CREATE and DROP INDEX, ALTER TABLE and RENAME change them,
     * only while no instance holds rows; a statement planned on an older instance plans again).
     */
    public boolean instanceCurrent() {
        if (definition == null) return true;
        return definition.name.equals(name) && definition.columns.equals(columns) && definition.checks.equals(checks)
                && definition.indexes.equals(copiedIndexes);
    }

    @Override
    public String toString() { return qualifiedName().toLowerCase(Locale.ROOT); }
}
