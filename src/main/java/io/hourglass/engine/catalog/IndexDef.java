package io.hourglass.engine.catalog;

import io.hourglass.engine.store.HashIndex;
import io.hourglass.engine.store.Index;
import io.hourglass.engine.store.Key;
import io.hourglass.engine.store.RangeIndex;

/**
 * An index of a table: its definition and its structure. {@code constraint} marks the index
 * that enforces a PRIMARY KEY or UNIQUE constraint (dropped with the table, not by DROP INDEX).
 */
public final class IndexDef {
    public enum Kind { HASH, RANGE }

    private final String owner;
    private volatile String name; // a table's RENAME renames the constraint indexes named after it
    private final int[] columns;
    private final boolean unique;
    private final Kind kind;
    private final boolean constraint;
    private final Index index;
    private volatile boolean retired;

    public IndexDef(String owner, String name, int[] columns, boolean unique, Kind kind, boolean constraint) {
        this.owner = owner;
        this.name = name;
        this.columns = columns;
        this.unique = unique;
        this.kind = kind;
        this.constraint = constraint;
        this.index = kind == Kind.HASH ? new HashIndex() : new RangeIndex();
    }

    public String owner() { return owner; }

    public String name() { return name; }

    public String qualifiedName() { return owner + "." + name; }

    void rename(String newName) { name = newName; }

    public int[] columns() { return columns; }

    public boolean unique() { return unique; }

    public Kind kind() { return kind; }

    public boolean constraint() { return constraint; }

    public Index index() { return index; }

    /** Whether the index was dropped: its entries were given back at once, the collector gives none back again. */
    public boolean retired() { return retired; }

    /** See {@link #retired()}; the transaction manager sets it under its commit lock. */
    public void retire() { retired = true; }

    public Key keyOf(Object[] row) { return Key.of(row, columns); }

    /** Which of a row's {@code columnCount} columns this index keys on: what a decode needs for {@link #keyOf}. */
    public boolean[] columnMask(int columnCount) {
        boolean[] m = new boolean[columnCount];
        for (int c : columns) m[c] = true;
        return m;
    }
}
