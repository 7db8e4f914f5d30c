package io.hourglass.engine.catalog;

import io.hourglass.engine.store.Key;

/**
 * A FOREIGN KEY constraint: the rows of {@code child} whose {@code childColumns} are all
 * non-null must match a row of {@code parent} on {@code parentColumns} (column i to column i),
 * which a unique index of the parent ({@code parentIndex}, the primary key or a UNIQUE
 * constraint or index on exactly those columns) keys. {@code childIndex}, created with the
 * constraint and named after it, keys the child on {@code childColumns} in that order, so a
 * parent row's delete finds its children without a scan. {@link #onDelete()} says what deleting a
 * parent row does to its children: refused while they exist (NO ACTION), deletes them (CASCADE), or
 * sets their foreign key columns to NULL (SET NULL).
 *
 * <p>Immutable once linked; {@link #dropped()} turns true when the constraint or its child table
 * goes, so a statement that picked it up just before can tell.
 */
public final class ForeignKey {
    /** ON DELETE: what deleting a parent row does to its children. Stored by ordinal: never reorder. */
    public enum OnDelete {
        NO_ACTION("NO ACTION"), CASCADE("CASCADE"), SET_NULL("SET NULL");

        public final String sql;

        OnDelete(String sql) { this.sql = sql; }
    }

    private final String owner;
    private final String name;
    private final Table child;
    private final int[] childColumns;
    private final IndexDef childIndex;
    private final Table parent;
    private final int[] parentColumns;
    private final IndexDef parentIndex;
    private final OnDelete onDelete;
    /** For each column of {@code parentIndex}, in its order: the child column that maps to it. */
    private final int[] childColumnsInParentIndexOrder;
    private volatile boolean dropped;

    public ForeignKey(String owner, String name, Table child, int[] childColumns, IndexDef childIndex,
                      Table parent, int[] parentColumns, IndexDef parentIndex, OnDelete onDelete) {
        this.owner = owner;
        this.name = name;
        this.child = child;
        this.childColumns = childColumns;
        this.childIndex = childIndex;
        this.parent = parent;
        this.parentColumns = parentColumns;
        this.parentIndex = parentIndex;
        this.onDelete = onDelete;
        int[] ixCols = parentIndex.columns();
        this.childColumnsInParentIndexOrder = new int[ixCols.length];
        for (int i = 0; i < ixCols.length; i++) {
            int at = -1;
            for (int j = 0; j < parentColumns.length; j++) if (parentColumns[j] == ixCols[i]) at = j;
            if (at < 0) throw new IllegalArgumentException("index " + parentIndex.qualifiedName() + " does not key the referenced columns");
            childColumnsInParentIndexOrder[i] = childColumns[at];
        }
    }

    public String owner() { return owner; }

    public String name() { return name; }

    public String qualifiedName() { return owner + "." + name; }

    public Table child() { return child; }

    public int[] childColumns() { return childColumns; }

    public IndexDef childIndex() { return childIndex; }

    public Table parent() { return parent; }

    public int[] parentColumns() { return parentColumns; }

    public IndexDef parentIndex() { return parentIndex; }

    public OnDelete onDelete() { return onDelete; }

    public boolean dropped() { return dropped; }

    void markDropped() { dropped = true; }

    /** A child row's reference, keyed as {@link #childIndex} keys it. */
    public Key childKey(Object[] childRow) { return Key.of(childRow, childColumns); }

    /** The key a parent row is referenced by, keyed as {@link #childIndex} keys it. */
    public Key referencedKey(Object[] parentRow) { return Key.of(parentRow, parentColumns); }

    /** A child row's reference, keyed as {@link #parentIndex} keys it: what finds the parent row. */
    public Key parentLookupKey(Object[] childRow) { return Key.of(childRow, childColumnsInParentIndexOrder); }
}
