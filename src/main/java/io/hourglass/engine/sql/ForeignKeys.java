package io.hourglass.engine.sql;

import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.catalog.CatalogChange;
import io.hourglass.engine.catalog.ForeignKey;
import io.hourglass.engine.catalog.IndexDef;
import io.hourglass.engine.catalog.Table;
import io.hourglass.engine.store.Key;
import io.hourglass.engine.store.TempSpace;
import io.hourglass.engine.store.Version;
import io.hourglass.engine.txn.LockMode;
import io.hourglass.engine.txn.Transaction;
import io.hourglass.engine.txn.TransactionManager;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The constraint checks a statement makes at its end (its deferred unique checks, see
 * TransactionManager.deferUniqueChecks, then its foreign keys). FOREIGN KEY constraints are
 * enforced as Oracle does it: at the end of each statement, so a
 * statement may insert a row before the row it references (a table referencing itself), or
 * delete a parent together with its children.
 *
 * <p>Locks, as TimesTen takes them: a row that references a parent takes a shared lock on the
 * parent row, held to the end of its transaction, so the parent cannot be deleted (or its key
 * changed) until the child commits or rolls back; a transaction deleting a parent holds that row
 * exclusively, so a child inserted meanwhile waits for it and fails if the delete commits. A
 * row another transaction is writing is waited for, then judged on what it committed, as the
 * unique check does. ON DELETE CASCADE deletes the children at once (and theirs, without
 * recursion on the Java stack), locking each as DELETE would; ON DELETE SET NULL updates them
 * at once, as UPDATE would.
 */
final class ForeignKeys {
    private ForeignKeys() {}

    /** Bytes charged to the statement's TempSize for each check it keeps until its end. */
    private static final long PENDING_CHECK = 48;

    /** The checks of one statement: recorded as it changes rows, made by {@link #finish}. */
    static final class Checks {
        private final Session s;
        private final Transaction txn;
        private final TempSpace.Budget temp;
        private final Expr.Ctx ctx;
        /** Rows that reference a parent, written by this statement. */
        private final List<ChildRow> children = new ArrayList<>();
        /** Parent keys this statement removed, with the parent row before. */
        private final List<ParentRow> parents = new ArrayList<>();

        private record ChildRow(ForeignKey fk, long rowId) {}

        private record ParentRow(ForeignKey fk, Object[] old) {}

        /** A row a cascade deleted, whose own children are yet to be seen to. */
        private record Deleted(Table table, Object[] row) {}

        Checks(Session s, Transaction txn, TempSpace.Budget temp, Expr.Ctx ctx) {
            this.s = s;
            this.txn = txn;
            this.temp = temp;
            this.ctx = ctx;
            s.transactions().deferUniqueChecks(txn);
        }

        /** {@code row} was inserted into {@code t} as {@code rowId}. */
        void inserted(Table t, long rowId, Object[] row) {
            for (ForeignKey fk : t.foreignKeys()) {
                if (!fk.childKey(row).hasNull()) child(fk, rowId);
            }
        }

        /** Row {@code rowId} of {@code t} changed from {@code old} to {@code next}. */
        void updated(Table t, long rowId, Object[] old, Object[] next) {
            for (ForeignKey fk : t.foreignKeys()) {
                Key k = fk.childKey(next);
                if (!k.hasNull() && !k.equals(fk.childKey(old))) child(fk, rowId);
            }
            for (ForeignKey fk : t.referencedBy()) {
                Key k = fk.referencedKey(old);
                if (!k.hasNull() && !k.equals(fk.referencedKey(next))) parent(fk, old);
            }
        }

        /**
         * Row {@code old} of {@code t} was deleted: the children of a cascading constraint go now
         * (and then theirs), those of a SET NULL constraint lose their reference now; a
         * restricting constraint's key is checked at the statement's end.
         */
        void deleted(Table t, Object[] old) {
            if (t.referencedBy().isEmpty()) return;
            TransactionManager tm = s.transactions();
            Deque<Deleted> work = new ArrayDeque<>();
            work.push(new Deleted(t, old));
            while (!work.isEmpty()) {
                Deleted w = work.pop();
                Object[] prow = w.row();
                for (ForeignKey fk : w.table().referencedBy()) {
                    Key k = fk.referencedKey(prow);
                    if (k.hasNull()) continue;
                    if (fk.onDelete() == ForeignKey.OnDelete.NO_ACTION) {
                        parent(fk, prow);
                        continue;
                    }
                    Table c = fk.child();
                    tm.lockTable(txn, c, Executor.writeTableMode(txn));
                    if (fk.dropped()) continue; // its table was dropped while we waited for the lock
                    for (long id : lookup(fk.childIndex(), k)) {
                        ctx.tick();
                        tm.lockRow(txn, c, id);
                        byte[] img = tm.currentImage(txn, c, id);
                        if (img == null) continue;
                        Object[] crow = c.codec().decode(img);
                        if (!fk.childKey(crow).equals(k)) continue;
                        if (fk.onDelete() == ForeignKey.OnDelete.CASCADE) {
                            tm.delete(txn, c, id);
                            work.push(new Deleted(c, crow));
                        } else {
                            // SET NULL: an UPDATE of the child, with its checks (a CHECK may refuse
                            // the NULLs; a key of the child that others reference is checked as any)
                            Object[] next = crow.clone();
                            for (int col : fk.childColumns()) next[col] = null;
                            Executor.checkRow(c, next);
                            tm.update(txn, c, id, crow, next);
                            updated(c, id, crow, next);
                        }
                    }
                }
            }
        }

        private void child(ForeignKey fk, long rowId) {
            temp.charge(PENDING_CHECK);
            children.add(new ChildRow(fk, rowId));
        }

        private void parent(ForeignKey fk, Object[] old) {
            temp.chargeRow(old);
            parents.add(new ParentRow(fk, old));
        }

        /** Makes the checks: TT3001 for the first row that references no parent, or the first removed key still referenced. */
        void finish() {
            s.transactions().finishUniqueChecks(txn);
            for (ParentRow p : parents) {
                ctx.tick();
                checkNotReferenced(p.fk(), p.old());
            }
            Map<ForeignKey, Set<Key>> found = new HashMap<>();
            for (ChildRow c : children) {
                ctx.tick();
                checkHasParent(c.fk(), c.rowId(), found);
            }
        }

        /** A key {@code old} had and this statement removed: no row of the child may still reference it, unless a row of the parent has it again. */
        private void checkNotReferenced(ForeignKey fk, Object[] old) {
            if (fk.dropped()) return;
            TransactionManager tm = s.transactions();
            Table p = fk.parent();
            Key pk = fk.parentIndex().keyOf(old);
            for (long id : lookup(fk.parentIndex(), pk)) {
                byte[] img = tm.currentImage(txn, p, id);
                if (img != null && fk.parentIndex().keyOf(p.codec().decode(img)).equals(pk)) return; // provided again
            }
            Table c = fk.child();
            tm.lockTable(txn, c, LockMode.IS);
            if (fk.dropped()) return; // its table was dropped while we waited for the lock
            Key k = fk.referencedKey(old);
            for (long id : lookup(fk.childIndex(), k)) {
                if (tm.writtenByOther(txn, c, id)) tm.lockRow(txn, c, id, LockMode.S); // wait, then judge what it committed
                byte[] img = tm.currentImage(txn, c, id);
                if (img != null && fk.childKey(c.codec().decode(img)).equals(k)) {
                    throw ErrorCode.FOREIGN_KEY_VIOLATION.error(fk.qualifiedName(), "a row of child table " + c.qualifiedName()
                            + " references key " + k + " of parent table " + p.qualifiedName() + ", which this statement removes");
                }
            }
        }

        /** Row {@code rowId} of the child, as this statement left it, must find its parent; the parent row is then locked shared. */
        private void checkHasParent(ForeignKey fk, long rowId, Map<ForeignKey, Set<Key>> found) {
            if (fk.dropped()) return;
            TransactionManager tm = s.transactions();
            Table c = fk.child();
            byte[] cimg = tm.currentImage(txn, c, rowId);
            if (cimg == null) return; // deleted later in the statement
            Object[] row = c.codec().decode(cimg);
            Key k = fk.childKey(row);
            if (k.hasNull()) return;
            Set<Key> known = found.computeIfAbsent(fk, f -> new HashSet<>());
            if (known.contains(k)) return;
            Table p = fk.parent();
            Key pk = fk.parentLookupKey(row);
            IndexDef pix = fk.parentIndex();
            boolean locked = false;
            for (long id : lookup(pix, pk)) {
                if (!(p.store().slot(id) instanceof Version h) || h.isCommitted() || h.ownerTxn != txn.id()) {
                    // Not a row this transaction wrote: keep it as it is until this one ends.
                    byte[] img = tm.currentImage(txn, p, id);
                    boolean match = img != null && pix.keyOf(p.codec().decode(img)).equals(pk);
                    if (!match && !tm.writtenByOther(txn, p, id)) continue;
                    if (!locked) {
                        tm.lockTable(txn, p, LockMode.IS);
                        locked = true;
                    }
                    tm.lockRow(txn, p, id, LockMode.S);
                }
                byte[] img = tm.currentImage(txn, p, id);
                if (img != null && pix.keyOf(p.codec().decode(img)).equals(pk)) {
                    if (known.size() < 4096) {
                        temp.charge(PENDING_CHECK);
                        known.add(k);
                    }
                    return;
                }
            }
            throw ErrorCode.FOREIGN_KEY_VIOLATION.error(fk.qualifiedName(), "the row of child table " + c.qualifiedName() + " with key "
                    + k + " has no parent in table " + p.qualifiedName());
        }
    }

    private static List<Long> lookup(IndexDef ix, Key k) {
        List<Long> ids = new ArrayList<>(2);
        ix.index().lookup(k, ids::add);
        return ids;
    }

    /**
     * ALTER TABLE ADD FOREIGN KEY's check of the rows already there (the caller holds shared
     * locks on both tables, so every row is committed): TT3001 for the first whose key has no
     * parent.
     */
    static void checkExisting(Table child, CatalogChange.ForeignKeySpec spec, Table parent, IndexDef parentIndex) {
        ForeignKey fk = new ForeignKey(child.owner(), spec.name(), child, spec.columns(), null, parent, spec.parentColumns(),
                parentIndex, spec.onDelete());
        child.store().forEachHead((id, slot) -> {
            Version v = Version.latestCommitted(Version.of(slot));
            if (v == null || v.image == null) return true;
            Object[] row = child.codec().decode(v.image);
            Key k = fk.childKey(row);
            if (k.hasNull()) return true;
            Key pk = fk.parentLookupKey(row);
            for (long pid : lookup(parentIndex, pk)) {
                Version pv = Version.latestCommitted(Version.of(parent.store().slot(pid)));
                if (pv != null && pv.image != null && parentIndex.keyOf(parent.codec().decode(pv.image)).equals(pk)) return true;
            }
            throw ErrorCode.FOREIGN_KEY_VIOLATION.error(fk.qualifiedName(), "the row of child table " + child.qualifiedName()
                    + " with key " + k + " has no parent in table " + parent.qualifiedName());
        });
    }
}
