package io.hourglass.engine.catalog;

import io.hourglass.engine.ErrorCode;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The schema of one database: tables, indexes, users and privileges. DDL methods are
 * synchronized (DDL is rare); lookups are lock-free. {@link #version()} rises with every
 * change so prepared statements know when to re-plan.
 */
public final class Catalog {
    public static final String INSTANCE_ADMIN = "ADMIN";
    /**
     * The grantee whose privileges every user holds, as in Oracle and TimesTen: no user of its
     * own (no one connects as PUBLIC). A database made before PUBLIC was one may hold a real user
     * of that name; grants to PUBLIC then stay that user's, as they were.
     */
    public static final String PUBLIC = "PUBLIC";

    private final Map<String, Table> tables = new ConcurrentHashMap<>();
    private final Map<String, Sequence> sequences = new ConcurrentHashMap<>();
    private final Map<String, CatalogChange.CreateView> views = new ConcurrentHashMap<>();
    private final Map<Commented, String> comments = new ConcurrentHashMap<>();
    /** Private synonyms by "OWNER.NAME", public ones by NAME (a user name has no dot in it, so they cannot meet). */
    private final Map<String, CatalogChange.CreateSynonym> synonyms = new ConcurrentHashMap<>();
    private final Map<Long, Table> tablesById = new ConcurrentHashMap<>();
    private final Map<String, CacheGroup> cacheGroups = new ConcurrentHashMap<>();
    private volatile boolean cacheAgentRunning;
    /** Serialises DDL: a change is checked, logged and applied as one step. */
    private final java.util.concurrent.locks.ReentrantLock ddl = new java.util.concurrent.locks.ReentrantLock();
    private final Map<String, IndexDef> indexes = new ConcurrentHashMap<>();
    private final Map<String, Table> indexTables = new ConcurrentHashMap<>();
    private final Map<String, User> users = new ConcurrentHashMap<>();
    private final AtomicLong version = new AtomicLong();
    private final AtomicLong tableIds = new AtomicLong();
    // Credentials verified with the slow hash are remembered as an HMAC under a per-process key,
    // so HTTP Basic does not pay PBKDF2 on every request. Cleared on any change to the user.
    private final Map<String, byte[]> verified = new ConcurrentHashMap<>();

    /**
     * Slow password checks (PBKDF2, about a tenth of a second of a core each) run one at a time
     * in the process: a password not yet verified is checked in turn, so a flood of wrong
     * passwords, which needs no session, takes at most one core from the database, however many
     * connections send them. Passwords verified before are answered at once (cacheMac).
     */
    private static final Semaphore SLOW_CHECKS = new Semaphore(1, true);
    private static final AtomicInteger slowChecksRunning = new AtomicInteger();
    private static final AtomicInteger slowChecksMostAtOnce = new AtomicInteger();
    private static final AtomicLong slowChecksDone = new AtomicLong();

    /** For tests: the most slow password checks that ran at once since the process started. */
    static int slowChecksMostAtOnce() { return slowChecksMostAtOnce.get(); }

    /** For tests: how many slow password checks ran since the process started. */
    static long slowChecksDone() { return slowChecksDone.get(); }

    /** What a slow password check found. */
    private enum Check { RIGHT, WRONG, LOCKED }

    /**
     * The PBKDF2 check of {@code password} for {@code u}, one at a time in the process;
     * remembers credentials that pass. Connections that arrive together with the same
     * credentials (a pool reconnecting after a restart) wait in line, and the first to pass
     * answers for the rest: each looks at what is remembered again once its turn comes. A wrong
     * password is counted before the next check starts, so guesses sent at once get exactly
     * FAILED_LOGIN_ATTEMPTS answers; those that find the account locked when their turn comes are
     * not checked.
     */
    private Check slowCheck(User u, String password, byte[] fast) {
        String name = u.name();
        SLOW_CHECKS.acquireUninterruptibly();
        try {
            byte[] known = verified.get(name);
            if (known != null && MessageDigest.isEqual(known, fast)) return Check.RIGHT;
            if (locked(u)) return Check.LOCKED;
            slowChecksMostAtOnce.accumulateAndGet(slowChecksRunning.incrementAndGet(), Math::max);
            slowChecksDone.incrementAndGet();
            try {
                if (PasswordHasher.verify(password, u.passwordHash)) {
                    verified.put(name, fast);
                    return Check.RIGHT;
                }
            } finally {
                slowChecksRunning.decrementAndGet();
            }
            failedLogin(u);
            return Check.WRONG;
        } finally {
            SLOW_CHECKS.release();
        }
    }

    /** Counts a wrong password for {@code u}: the FAILED_LOGIN_ATTEMPTS-th in a row locks the account (LOCKED(TIMED)). */
    private void failedLogin(User u) {
        synchronized (u) {
            int failed = u.failedLogins.incrementAndGet();
            String most = limit(u, Profile.FAILED_LOGIN_ATTEMPTS);
            if (!most.equals(Profile.UNLIMITED) && failed >= Long.parseLong(most) && u.timedLockMillis == 0) {
                u.timedLockNanos = System.nanoTime();
                u.timedLockMillis = System.currentTimeMillis();
            }
        }
    }

    private final KeyedMac cacheMac = new KeyedMac();
    private volatile CatalogChange.CheckpointSettings checkpointSettings = new CatalogChange.CheckpointSettings(null, null, null);
    private volatile CatalogChange.LruAgingSettings lruAgingSettings = CatalogChange.LruAgingSettings.DEFAULT;
    private volatile int awtThreshold;

    /** The instance administrator's password (ADMIN in every database); null: no one logs in as ADMIN. */
    private final InstanceSecret instanceAdmin;

    /** @param instanceAdmin the instance administrator's password, or null for a catalog no one logs in to */
    public Catalog(InstanceSecret instanceAdmin) {
        this.instanceAdmin = instanceAdmin;
        users.put(INSTANCE_ADMIN, new User(INSTANCE_ADMIN, null, true));
    }

    public long version() { return version.get(); }

    // ---- tables and indexes ------------------------------------------------------------------

    public Table table(String owner, String name) { return tables.get(owner + "." + name); }

    public Table requireTable(String owner, String name) {
        Table t = table(owner, name);
        if (t == null) throw ErrorCode.TABLE_NOT_FOUND.error(owner + "." + name);
        return t;
    }

    public Collection<Table> tables() { return tables.values(); }

    /** The lock every DDL statement holds from its checks until its change is applied. */
    public java.util.concurrent.locks.ReentrantLock ddlLock() { return ddl; }

    /** Recovery from a checkpoint: table ids continue after {@code lastId} even if that table was dropped. */
    public void restoreTableIds(long lastId) { tableIds.accumulateAndGet(lastId, Math::max); }

    /** The id the next CREATE TABLE will use. */
    public long nextTableId() { return tableIds.get() + 1; }

    public Table tableById(long id) { return tablesById.get(id); }

    /**
     * Creates a table with a given id (the log's, at recovery; {@link #nextTableId} when live)
     * whose ROWIDs carry {@code rowIdTag} (its id, unless an ALTER TABLE gave it a new one since).
     */
    public synchronized Table createTable(long id, long rowIdTag, String owner, String name, List<Column> columns, int[] primaryKey) {
        String q = owner + "." + name;
        if (tables.containsKey(q)) throw ErrorCode.TABLE_EXISTS.error(q);
        Table t = new Table(id, rowIdTag, owner, name, columns, primaryKey);
        tables.put(q, t);
        tablesById.put(id, t);
        tableIds.accumulateAndGet(id, Math::max);
        version.incrementAndGet();
        return t;
    }

    public Sequence sequence(String owner, String name) { return sequences.get(owner + "." + name); }

    public synchronized Sequence createSequence(CatalogChange.CreateSequence c) {
        String q = c.owner() + "." + c.name();
        if (sequences.containsKey(q)) throw ErrorCode.NAME_IN_USE.error(q, "sequence");
        Sequence s = new Sequence(c.owner(), c.name(), c.increment(), c.min(), c.max(), c.cycle(), c.cache(), c.restart());
        sequences.put(q, s);
        version.incrementAndGet();
        return s;
    }

    public synchronized void dropSequence(Sequence s) {
        sequences.remove(s.qualifiedName(), s);
        for (User u : grantees()) u.objects.remove(s.qualifiedName());
        version.incrementAndGet();
    }

    public java.util.Collection<Sequence> sequences() { return sequences.values(); }

    /** A view: its definition as CREATE VIEW gave it; null if none. */
    public CatalogChange.CreateView view(String owner, String name) { return views.get(owner + "." + name); }

    /** Every view's definition. */
    public Collection<CatalogChange.CreateView> views() { return views.values(); }

    /** CREATE [OR REPLACE] VIEW; a view replaced loses its comments, which described the old query. */
    public synchronized void createView(CatalogChange.CreateView v) {
        String q = v.owner() + "." + v.name();
        if (views.containsKey(q) && !v.replace()) throw ErrorCode.NAME_IN_USE.error(q, "view");
        forgetComments(v.owner(), v.name(), c -> true);
        views.put(q, v);
        version.incrementAndGet();
    }

    public synchronized void dropView(String owner, String name) {
        views.remove(owner + "." + name);
        forgetComments(owner, name, c -> true);
        for (User u : grantees()) u.objects.remove(owner + "." + name);
        version.incrementAndGet();
    }

    public synchronized void dropTable(Table t) {
        unregister(t);
        forgetComments(t.owner(), t.name(), c -> true);
        for (User u : grantees()) u.objects.remove(t.qualifiedName());
        version.incrementAndGet();
    }

    /** Takes {@code t} out of the catalog with its indexes, and unlinks its foreign keys (as child and as parent). */
    private void unregister(Table t) {
        for (ForeignKey fk : List.copyOf(t.foreignKeys())) unlink(fk);
        for (ForeignKey fk : List.copyOf(t.referencedBy())) unlink(fk);
        if (!tables.remove(t.qualifiedName(), t)) throw ErrorCode.TABLE_NOT_FOUND.error(t.qualifiedName());
        tablesById.remove(t.id(), t);
        for (IndexDef ix : t.indexes()) {
            indexes.remove(ix.qualifiedName());
            indexTables.remove(ix.qualifiedName());
        }
    }

    /**
     * RENAME: the table takes the name {@code newName} (its owner's), with the grants and comments on it; its
     * id, rows, indexes and foreign keys (both ways) stay. Views name tables in their text: one
     * that named the old name finds no table until one takes it again, as in Oracle.
     */
    public synchronized void renameTable(Table t, String newName) {
        String from = t.qualifiedName(), to = t.owner() + "." + newName;
        Map<IndexDef, String> renamed = checkRename(t, newName);
        Map<Commented, String> described = commentsOf(t.owner(), t.name());
        if (!tables.remove(from, t)) throw ErrorCode.TABLE_NOT_FOUND.error(from);
        t.rename(newName);
        tables.put(to, t);
        for (var e : described.entrySet()) {
            comments.remove(e.getKey());
            comments.put(new Commented(t.owner(), newName, e.getKey().column()), e.getValue());
        }
        for (IndexDef ix : renamed.keySet()) {
            indexes.remove(ix.qualifiedName(), ix);
            indexTables.remove(ix.qualifiedName(), t);
        }
        for (var e : renamed.entrySet()) {
            e.getKey().rename(e.getValue());
            indexes.put(e.getKey().qualifiedName(), e.getKey());
            indexTables.put(e.getKey().qualifiedName(), t);
        }
        for (User u : grantees()) {
            Set<Privilege> granted = u.objects.remove(from);
            if (granted != null) u.objects.put(to, granted);
        }
        version.incrementAndGet();
    }

    /** Gives {@code t} its aging policy (null: none). */
    public synchronized void setAging(Table t, Aging aging) { t.aging(aging); }

    /**
     * Tracks the use of the rows of each table with LRU aging, and of each table an ON DELETE
     * CASCADE foreign key reaches from one (its child tables, theirs, ...): aging a row takes
     * those rows too, so their use keeps it (a cache instance of a DYNAMIC group of several
     * tables stays while any of its rows is read). Stops tracking every other table. Run after
     * every catalog change; cheap (the tables, then their foreign keys).
     */
    public synchronized void refreshUsageTracking() {
        Set<Table> tracked = new HashSet<>();
        java.util.ArrayDeque<Table> reach = new java.util.ArrayDeque<>();
        for (Table t : tables.values()) {
            if (t.aging() != null && t.aging().isLru() && tracked.add(t)) reach.add(t);
        }
        while (!reach.isEmpty()) {
            for (ForeignKey fk : reach.poll().referencedBy()) {
                if (!fk.dropped() && fk.onDelete() == ForeignKey.OnDelete.CASCADE && tracked.add(fk.child())) reach.add(fk.child());
            }
        }
        for (Table t : tables.values()) t.store().trackUsage(tracked.contains(t));
    }

    /** Makes {@code t}, just created, a GLOBAL TEMPORARY table: its rows are its sessions' instances'. */
    public synchronized void setTemporary(Table t, Table.OnCommit onCommit) { t.temporary(onCommit); }

    private final AtomicLong instanceIds = new AtomicLong(-1);

    /**
     * An id for a session's instance of a GLOBAL TEMPORARY table: below every table's (which are
     * positive; -1 marks a query's derived tables), never used twice while the database runs, and
     * never logged.
     */
    public long nextInstanceId() { return instanceIds.decrementAndGet(); }

    /** ALTER TABLE MODIFY in place (see {@link Table#redefine}) and RENAME COLUMN: the table takes {@code columns}. */
    public synchronized void redefineColumns(Table t, List<Column> columns) {
        t.redefine(columns);
        version.incrementAndGet();
    }

    /**
     * TT2207 if a table has the name already, TT90008 if an index has a name one of the table's
     * constraint indexes would take; else those indexes and their new names.
     */
    public synchronized Map<IndexDef, String> checkRename(Table t, String newName) {
        if (tables.containsKey(t.owner() + "." + newName)) throw ErrorCode.TABLE_EXISTS.error(t.owner() + "." + newName);
        Map<IndexDef, String> renamed = renamedIndexes(t, newName);
        for (var e : renamed.entrySet()) {
            IndexDef other = indexes.get(e.getKey().owner() + "." + e.getValue());
            if (other != null && !renamed.containsKey(other)) throw ErrorCode.INDEX_EXISTS.error(other.qualifiedName());
        }
        return renamed;
    }

    /**
     * The constraint indexes named after the table (its primary key's, named as the table, and
     * its UNIQUE constraints', {@code <TABLE>_UQ<n>}) and the names they take when the table is
     * renamed {@code newName}, so that the old name is wholly free for a new table.
     */
    private static Map<IndexDef, String> renamedIndexes(Table t, String newName) {
        Map<IndexDef, String> out = new java.util.LinkedHashMap<>();
        for (IndexDef ix : t.indexes()) {
            if (!ix.constraint() || !ix.owner().equals(t.owner())) continue;
            if (ix.name().equals(t.name())) out.put(ix, newName);
            else if (ix.name().matches(java.util.regex.Pattern.quote(t.name() + "_UQ") + "[0-9]+")) {
                out.put(ix, newName + ix.name().substring(t.name().length()));
            }
        }
        return out;
    }

    /**
     * ALTER TABLE ADD / DROP COLUMN: a new, empty table of {@code columns} takes {@code old}'s
     * name under the id {@code id}; {@code old} leaves the catalog with its indexes, and its
     * foreign keys (as child and as parent) are unlinked, for the caller to link again to the new
     * table. Grants on the name stay. Statements that resolved {@code old} keep reading it.
     */
    public synchronized Table replaceTable(Table old, long id, List<Column> columns, int[] primaryKey) {
        unregister(old);
        forgetComments(old.owner(), old.name(), c -> c != null && columns.stream().noneMatch(k -> k.name().equals(c)));
        Table t = new Table(id, old.rowIdTag(), old.owner(), old.name(), columns, primaryKey); // (its rows keep their ROWIDs)
        t.temporary(old.temporary()); // (before anyone can find it: a GLOBAL TEMPORARY table's rows are its sessions')
        tables.put(t.qualifiedName(), t);
        tablesById.put(id, t);
        tableIds.accumulateAndGet(id, Math::max);
        version.incrementAndGet();
        return t;
    }

    // ---- synonyms -----------------------------------------------------------------------------

    private static String synonymKey(String owner, String name) { return owner == null ? name : owner + "." + name; }

    /** The synonym {@code owner.name}, a public one if {@code owner} is null; null if none. */
    public CatalogChange.CreateSynonym synonym(String owner, String name) { return synonyms.get(synonymKey(owner, name)); }

    /** Every synonym, private and public. */
    public Collection<CatalogChange.CreateSynonym> synonyms() { return synonyms.values(); }

    /** CREATE [OR REPLACE] SYNONYM: statements prepared before it plan again, as a name may now mean something else. */
    public synchronized void createSynonym(CatalogChange.CreateSynonym y) {
        synonyms.put(synonymKey(y.owner(), y.name()), y);
        version.incrementAndGet();
    }

    public synchronized void dropSynonym(String owner, String name) {
        synonyms.remove(synonymKey(owner, name));
        version.incrementAndGet();
    }

    /** How many synonyms a name may go through before it is taken for a loop. */
    public static final int MAX_SYNONYM_CHAIN = 64;

    /**
     * What a name in a statement stands for: {@code via} is the synonym it was written as (null
     * if none), {@code owner.name} the table, view or sequence it ends at.
     */
    public record Resolved(String owner, String name, String via) {}

    /**
     * Resolves {@code owner.name} as Oracle does: a table, view or sequence of that owner, else
     * that owner's synonym, else (for a name written without an owner, {@code qualified} false)
     * the public synonym; a synonym's target is resolved again the same way, but as the
     * qualified name it is. A name that is none of them comes back as it is (for the caller's
     * own "not found"); a synonym that ends at nothing is TT3077, one that comes back to itself
     * TT3074.
     */
    public Resolved resolve(String owner, String name, boolean qualified) {
        String o = owner, n = name, via = null;
        boolean publicToo = !qualified;
        java.util.Set<String> seen = null; // (made once a synonym is met: most names are none)
        while (true) {
            String q = o + "." + n;
            if (isObject(q)) return new Resolved(o, n, via);
            CatalogChange.CreateSynonym y = synonyms.get(q);
            if (y == null && publicToo) y = synonyms.get(synonymKey(null, n));
            if (y == null) {
                if (via == null) return new Resolved(o, n, null);
                throw ErrorCode.SYNONYM_UNRESOLVED.error(via);
            }
            String here = y.owner() == null ? PUBLIC + "." + y.name() : y.owner() + "." + y.name();
            if (via == null) via = here;
            if (seen == null) seen = new java.util.HashSet<>();
            if (!seen.add(here) || seen.size() > MAX_SYNONYM_CHAIN) throw ErrorCode.SYNONYM_LOOP.error(via);
            o = y.targetOwner();
            n = y.targetName();
            publicToo = false;
        }
    }

    /** Whether a table, view or sequence has the qualified name {@code q}. */
    private boolean isObject(String q) { return tables.containsKey(q) || views.containsKey(q) || sequences.containsKey(q); }

    /**
     * Whether a private synonym {@code owner.name} standing for {@code targetOwner.targetName}
     * would make a loop: the target, followed through private synonyms as {@link #resolve} follows
     * a qualified name, comes back to it. (Only private synonyms are met past a chain's first name.)
     */
    public boolean synonymWouldLoop(String owner, String name, String targetOwner, String targetName) {
        String o = targetOwner, n = targetName;
        for (int hops = 0; hops <= MAX_SYNONYM_CHAIN; hops++) {
            if (o.equals(owner) && n.equals(name)) return true;
            String q = o + "." + n;
            CatalogChange.CreateSynonym next = isObject(q) ? null : synonyms.get(q);
            if (next == null) return false;
            o = next.targetOwner();
            n = next.targetName();
        }
        return true;
    }

    // ---- comments -----------------------------------------------------------------------------

    /** What a comment is on: a table or view ({@code column} null), or one of its columns. */
    public record Commented(String owner, String object, String column) {}

    /** COMMENT ON's text for a table or view ({@code column} null) or a column of it; null if none. */
    public String comment(String owner, String object, String column) { return comments.get(new Commented(owner, object, column)); }

    /** COMMENT ON TABLE or COLUMN: sets the comment, or removes it (a null text). */
    public synchronized void setComment(CatalogChange.Comment c) {
        Commented on = new Commented(c.owner(), c.object(), c.column());
        if (c.text() == null) comments.remove(on);
        else comments.put(on, c.text());
    }

    /** ALTER TABLE RENAME COLUMN: the column's comment follows it. */
    public synchronized void renameColumnComment(Table t, String from, String to) {
        String text = comments.remove(new Commented(t.owner(), t.name(), from));
        if (text != null) comments.put(new Commented(t.owner(), t.name(), to), text);
    }

    private Map<Commented, String> commentsOf(String owner, String object) {
        Map<Commented, String> out = new java.util.HashMap<>();
        for (var e : comments.entrySet()) {
            if (e.getKey().owner().equals(owner) && e.getKey().object().equals(object)) out.put(e.getKey(), e.getValue());
        }
        return out;
    }

    /** Removes the comments on {@code owner.object}'s columns that {@code column} picks (null: the object's own). */
    private void forgetComments(String owner, String object, java.util.function.Predicate<String> column) {
        for (Commented k : commentsOf(owner, object).keySet()) if (column.test(k.column())) comments.remove(k);
    }

    /** Registers an index built by the caller; the name must be free. */
    public synchronized void checkIndexNameFree(String owner, String name) {
        if (indexes.containsKey(owner + "." + name)) throw ErrorCode.INDEX_EXISTS.error(owner + "." + name);
    }

    public synchronized void addIndex(Table t, IndexDef ix) {
        checkIndexNameFree(ix.owner(), ix.name());
        indexes.put(ix.qualifiedName(), ix);
        indexTables.put(ix.qualifiedName(), t);
        t.indexes().add(ix);
        version.incrementAndGet();
    }

    public IndexDef index(String owner, String name) { return indexes.get(owner + "." + name); }

    public Table tableOfIndex(IndexDef ix) { return indexTables.get(ix.qualifiedName()); }

    public synchronized void dropIndex(IndexDef ix) {
        Table t = indexTables.remove(ix.qualifiedName());
        indexes.remove(ix.qualifiedName());
        if (t != null) t.indexes().remove(ix);
        version.incrementAndGet();
    }

    // ---- foreign keys -------------------------------------------------------------------------

    /**
     * Links a FOREIGN KEY of {@code child} as {@code spec} defines it. The parent's unique index
     * is the first of its indexes that is unique on exactly the referenced columns (DDL checked
     * there is one); the child's index is the one named after the constraint, created empty if
     * the table does not have it yet (recovery fills indexes once the rows are back).
     */
    public synchronized ForeignKey addForeignKey(Table child, CatalogChange.ForeignKeySpec spec) {
        Table parent = requireTable(spec.parentOwner(), spec.parentName());
        IndexDef parentIndex = uniqueIndexOn(parent, spec.parentColumns());
        if (parentIndex == null) {
            throw ErrorCode.FOREIGN_KEY_NO_UNIQUE_INDEX.error(parent.qualifiedName() + " " + columnNames(parent, spec.parentColumns()));
        }
        if (child.foreignKey(spec.name()) != null) throw ErrorCode.INDEX_EXISTS.error(child.owner() + "." + spec.name());
        IndexDef childIndex = index(child.owner(), spec.name());
        if (childIndex == null) {
            childIndex = new IndexDef(child.owner(), spec.name(), spec.columns(), false, IndexDef.Kind.RANGE, true);
            addIndex(child, childIndex);
        } else if (indexTables.get(childIndex.qualifiedName()) != child) {
            throw ErrorCode.INDEX_EXISTS.error(childIndex.qualifiedName());
        }
        ForeignKey fk = new ForeignKey(child.owner(), spec.name(), child, spec.columns(), childIndex, parent, spec.parentColumns(),
                parentIndex, spec.onDelete());
        child.foreignKeys().add(fk);
        parent.referencedBy().add(fk);
        version.incrementAndGet();
        return fk;
    }

    /** Drops a FOREIGN KEY and its index. */
    public synchronized void dropForeignKey(ForeignKey fk) {
        unlink(fk);
        dropIndex(fk.childIndex());
    }

    private void unlink(ForeignKey fk) {
        fk.child().foreignKeys().remove(fk);
        fk.parent().referencedBy().remove(fk);
        fk.markDropped();
        version.incrementAndGet();
    }

    /** The first unique index of {@code t} on exactly the columns {@code cols} (in any order), or null. */
    public static IndexDef uniqueIndexOn(Table t, int[] cols) {
        for (IndexDef ix : t.indexes()) {
            if (ix.unique() && sameColumns(ix.columns(), cols)) return ix;
        }
        return null;
    }

    /** Whether {@code a} and {@code b} name the same columns, in any order. */
    public static boolean sameColumns(int[] a, int[] b) {
        if (a.length != b.length) return false;
        int[] x = a.clone(), y = b.clone();
        java.util.Arrays.sort(x);
        java.util.Arrays.sort(y);
        return java.util.Arrays.equals(x, y);
    }

    /** "(A, B)": the names of columns {@code cols} of {@code t}. */
    public static String columnNames(Table t, int[] cols) {
        StringBuilder b = new StringBuilder("(");
        for (int i = 0; i < cols.length; i++) b.append(i == 0 ? "" : ", ").append(t.columns().get(cols[i]).name());
        return b.append(')').toString();
    }

    /** The foreign keys that use {@code ix}: as their child index, or as the parent's unique index. */
    public List<ForeignKey> foreignKeysUsing(IndexDef ix) {
        Table t = tableOfIndex(ix);
        List<ForeignKey> out = new ArrayList<>();
        if (t == null) return out;
        for (ForeignKey fk : t.foreignKeys()) if (fk.childIndex() == ix) out.add(fk);
        for (ForeignKey fk : t.referencedBy()) if (fk.parentIndex() == ix) out.add(fk);
        return out;
    }

    // ---- users --------------------------------------------------------------------------------

    public User user(String name) { return users.get(name); }

    // PUBLIC's grants (see PUBLIC); guarded by this
    private final User everyone = new User(PUBLIC, null, false);

    /** Who a grant to {@code name} goes to: the user, or PUBLIC's grants; TT90009 for neither. */
    private User grantee(String name) {
        User u = users.get(name);
        if (u == null && name.equals(PUBLIC)) return everyone;
        if (u == null) throw ErrorCode.USER_NOT_FOUND.error(name);
        return u;
    }

    /** Whether grants to {@code name} are every user's (PUBLIC, and no user of that name). */
    public synchronized boolean isPublic(String name) { return name.equals(PUBLIC) && !users.containsKey(name); }

    /** Every holder of grants: the users and PUBLIC. */
    private List<User> grantees() {
        List<User> all = new ArrayList<>(users.values());
        all.add(everyone);
        return all;
    }

    public Collection<User> users() { return users.values(); }

    /** A new user, its password set now (a PasswordState change that follows gives the time it was set). */
    public synchronized void createUser(String name, String passwordHash) {
        if (users.containsKey(name)) throw ErrorCode.USER_EXISTS.error(name);
        User u = new User(name, passwordHash, false);
        u.passwordSetAt = now();
        users.put(name, u);
        version.incrementAndGet();
    }

    /** A new password, set now and not expired (a PasswordState change that follows gives its times and history). */
    public synchronized void alterPassword(String name, String passwordHash) {
        User u = requireUser(name);
        u.passwordHash = passwordHash;
        u.passwordSetAt = now();
        u.passwordExpiredAt = 0;
        verified.remove(name);
        version.incrementAndGet();
    }

    /** A user's password state as CREATE or ALTER USER left it (see {@link CatalogChange.PasswordState}). */
    public synchronized void setPasswordState(String name, long setAt, long expiredAt, List<User.OldPassword> history) {
        User u = requireUser(name);
        u.passwordSetAt = setAt;
        u.passwordExpiredAt = expiredAt;
        u.passwordHistory = List.copyOf(history);
        version.incrementAndGet();
    }

    /**
     * A new password for {@code u}, whose profile will be {@code profile}: TT90064 if it is the
     * password {@code u} has, or one it had that PASSWORD_REUSE_TIME and PASSWORD_REUSE_MAX do not
     * let back yet (both met: that many days since it was replaced, and that many changes since;
     * one UNLIMITED: never; both UNLIMITED: no limit). Returns the history to keep once the new
     * password is set: the passwords that will still be forbidden, newest first. Each
     * earlier password still forbidden costs one slow hash check.
     */
    public List<User.OldPassword> passwordHistoryAfter(User u, String profile, String password) {
        String time = limit(profile, Profile.PASSWORD_REUSE_TIME), max = limit(profile, Profile.PASSWORD_REUSE_MAX);
        if (time.equals(Profile.UNLIMITED) && max.equals(Profile.UNLIMITED)) return List.of();
        long days = time.equals(Profile.UNLIMITED) ? Long.MAX_VALUE : Profile.millis(time);
        long changes = max.equals(Profile.UNLIMITED) ? Long.MAX_VALUE : Long.parseLong(max);
        long now = now();
        List<User.OldPassword> candidates = new ArrayList<>();
        candidates.add(new User.OldPassword(u.passwordHash, u.passwordSetAt, now)); // (the one this change replaces)
        candidates.addAll(u.passwordHistory);
        List<User.OldPassword> kept = new ArrayList<>();
        for (int i = 0; i < candidates.size(); i++) {
            User.OldPassword old = candidates.get(i);
            long since = now - old.replacedAt();
            // i changes since it was replaced, before this one; i + 1 after it
            if (!(i >= changes && since >= days) && PasswordHasher.verify(password, old.hash())) {
                throw ErrorCode.PASSWORD_REUSED.error(u.name(), time, max);
            }
            if (!(i + 1 >= changes && since >= days)) kept.add(old);
        }
        return kept;
    }

    // ---- password lifetimes -----------------------------------------------------------------------

    private volatile java.util.function.LongSupplier clock = System::currentTimeMillis;

    /** The time password lifetimes and reuse limits are measured in (epoch milliseconds). */
    public long now() { return clock.getAsLong(); }

    /** For tests: the clock password lifetimes are measured with. */
    void clock(java.util.function.LongSupplier c) { clock = c; }

    /**
     * Where a user's password stands: OPEN; GRACE, past its PASSWORD_LIFE_TIME but within its
     * PASSWORD_GRACE_TIME (logins go on, with a warning); EXPIRED, past both or expired by
     * PASSWORD EXPIRE (a login may only set a new password).
     */
    public enum PasswordStatus { OPEN, GRACE, EXPIRED }

    public PasswordStatus passwordStatus(User u) {
        if (u.instanceAdmin()) return PasswordStatus.OPEN;
        if (u.passwordExpiredAt != 0) return PasswordStatus.EXPIRED;
        long expires = passwordExpiry(u);
        long now = now();
        if (now < expires) return PasswordStatus.OPEN;
        String grace = limit(u, Profile.PASSWORD_GRACE_TIME);
        return grace.equals(Profile.UNLIMITED) || now < plus(expires, Profile.millis(grace)) ? PasswordStatus.GRACE : PasswordStatus.EXPIRED;
    }

    /**
     * {@link #passwordStatus} at a login: the first login in a password's grace period logs a
     * warning (once per password, not per login: HTTP requests each log in).
     */
    public PasswordStatus loginPasswordStatus(User u) {
        PasswordStatus st = passwordStatus(u);
        if (st == PasswordStatus.GRACE && u.graceWarnedFor != u.passwordSetAt) {
            u.graceWarnedFor = u.passwordSetAt;
            java.util.logging.Logger.getLogger(Catalog.class.getName()).warning(graceWarning(u));
        }
        return st;
    }

    /**
     * What a login within a password's grace period is told (TimesTen logs in "with a warning"):
     * when the password expired, until when it still logs in, and how to set a new one.
     */
    public String graceWarning(User u) {
        long expired = passwordExpiry(u);
        String grace = limit(u, Profile.PASSWORD_GRACE_TIME);
        return "The password of user " + u.name() + " expired at " + java.time.Instant.ofEpochMilli(expired) + " (PASSWORD_LIFE_TIME); it logs in "
                + (grace.equals(Profile.UNLIMITED) ? "within its PASSWORD_GRACE_TIME, which does not end"
                        : "until " + java.time.Instant.ofEpochMilli(plus(expired, Profile.millis(grace))) + " (PASSWORD_GRACE_TIME)")
                + ". Set a new one: ALTER USER " + u.name() + " IDENTIFIED BY ...";
    }

    /** When {@code u}'s password expires (or expired) by its PASSWORD_LIFE_TIME; Long.MAX_VALUE when never. */
    private long passwordExpiry(User u) {
        String life = limit(u, Profile.PASSWORD_LIFE_TIME);
        return life.equals(Profile.UNLIMITED) ? Long.MAX_VALUE : plus(u.passwordSetAt, Profile.millis(life));
    }

    /** {@code a + b}, Long.MAX_VALUE past it (a limit of 106,751,991 days is nearly all of a long's milliseconds). */
    private static long plus(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    /**
     * DBA_USERS.EXPIRY_DATE: when the password expired by PASSWORD EXPIRE, or expires (expired)
     * by its PASSWORD_LIFE_TIME, the grace period starting then (epoch milliseconds); null when it
     * never does.
     */
    public Long expiryDate(User u) {
        if (u.instanceAdmin()) return null;
        if (u.passwordExpiredAt != 0) return u.passwordExpiredAt;
        long at = passwordExpiry(u);
        return at == Long.MAX_VALUE ? null : at;
    }

    public synchronized void dropUser(String name) {
        User u = requireUser(name);
        if (u.instanceAdmin()) throw ErrorCode.CANNOT_DROP.error("user " + name, "it is the instance administrator");
        for (Table t : tables.values()) {
            if (t.owner().equals(name)) {
                throw ErrorCode.USER_OWNS_OBJECTS.error("TABLE", t.qualifiedName());
            }
        }
        users.remove(name);
        verified.remove(name);
        version.incrementAndGet();
    }

    private User requireUser(String name) {
        User u = users.get(name);
        if (u == null) throw ErrorCode.USER_NOT_FOUND.error(name);
        return u;
    }

    /**
     * Checks a password; returns the user or throws TT7001. The same error for an unknown user
     * and a wrong password, so the answer does not reveal which user names exist.
     */
    public User authenticate(String name, String password) {
        User u = users.get(name);
        if (u == null || password == null) throw ErrorCode.AUTHENTICATION_FAILED.error();
        if (u.instanceAdmin()) {
            if (instanceAdmin == null || !instanceAdmin.verify(password)) throw ErrorCode.AUTHENTICATION_FAILED.error();
            return u;
        }
        refuseIfLocked(u); // a locked account's password is not checked: no answer says whether a guess was right
        byte[] fast = cacheMac.of(name, password);
        byte[] known = verified.get(name);
        Check check = known != null && MessageDigest.isEqual(known, fast) ? Check.RIGHT : slowCheck(u, password, fast);
        switch (check) {
            case RIGHT -> {
                if (u.failedLogins.get() != 0) u.failedLogins.set(0);
                return u;
            }
            case LOCKED -> throw ErrorCode.ACCOUNT_LOCKED.error(u.name()); // by other attempts while this one waited its turn
            default -> throw ErrorCode.AUTHENTICATION_FAILED.error();
        }
    }

    /** ACCOUNT_LOCKED (TT90059) if {@code u}'s account is locked, by hand or by failed logins. */
    private void refuseIfLocked(User u) {
        if (locked(u)) throw ErrorCode.ACCOUNT_LOCKED.error(u.name());
    }

    private boolean locked(User u) { return u.lockedAt != null || timedLock(u); }

    /**
     * Whether failed logins have {@code u}'s account locked now (LOCKED(TIMED)). Once its
     * profile's PASSWORD_LOCK_TIME has passed, the lock and the count of failed logins go.
     */
    private boolean timedLock(User u) {
        if (u.timedLockMillis == 0) return false; // (read first: it is written last)
        long at = u.timedLockNanos;
        String time = limit(u, Profile.PASSWORD_LOCK_TIME);
        if (time.equals(Profile.UNLIMITED)
                || System.nanoTime() - at < java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(Profile.millis(time))) {
            return true;
        }
        synchronized (u) {
            if (u.timedLockNanos == at) {
                u.timedLockMillis = 0;
                u.failedLogins.set(0);
            }
        }
        return false;
    }

    // ---- password profiles and account locks ----------------------------------------------------

    private final Map<String, Profile> profiles = new ConcurrentHashMap<>(Map.of(Profile.DEFAULT, Profile.BUILT_IN_DEFAULT));

    public Profile profile(String name) { return profiles.get(name); }

    public Collection<Profile> profiles() { return profiles.values(); }

    /** CREATE or ALTER PROFILE: {@code p} holds the profile's settings after the statement. */
    public synchronized void setProfile(Profile p) {
        profiles.put(p.name(), p);
        version.incrementAndGet();
    }

    /** TT90020 for DEFAULT, TT90061 for a profile there is not: what DROP PROFILE checks before it logs anything. */
    public void refuseDropOfProfile(String name) {
        if (name.equals(Profile.DEFAULT)) throw ErrorCode.CANNOT_DROP.error("profile DEFAULT", "it is the profile of every user without one");
        if (!profiles.containsKey(name)) throw ErrorCode.PROFILE_NOT_FOUND.error(name);
    }

    /** DROP PROFILE: the users it had get the DEFAULT profile (the statement checked for CASCADE). */
    public synchronized void dropProfile(String name) {
        refuseDropOfProfile(name);
        profiles.remove(name);
        for (User u : users.values()) if (name.equals(u.profile)) u.profile = null;
        version.incrementAndGet();
    }

    /** ALTER USER's PROFILE and ACCOUNT: the profile (null: DEFAULT) and when ACCOUNT LOCK locked it (null: unlocked). */
    public synchronized void setAccount(String user, String profile, Long lockedAt) {
        User u = requireUser(user);
        if (profile != null && !profiles.containsKey(profile)) throw ErrorCode.PROFILE_NOT_FOUND.error(profile);
        u.profile = Profile.DEFAULT.equals(profile) ? null : profile;
        u.lockedAt = lockedAt;
        version.incrementAndGet();
    }

    /** ACCOUNT UNLOCK: failed logins are forgotten, and their lock with them. */
    public void forgetFailedLogins(String user) {
        User u = requireUser(user);
        synchronized (u) {
            u.timedLockMillis = 0;
            u.failedLogins.set(0);
        }
    }

    /** The value of password parameter {@code parameter} for {@code u}: its profile's, or the DEFAULT profile's. */
    public String limit(User u, String parameter) { return limit(u.profile(), parameter); }

    /** The value of password parameter {@code parameter} in profile {@code profile}, or the DEFAULT profile's. */
    public String limit(String profile, String parameter) {
        Profile p = profiles.get(profile);
        String v = p == null ? Profile.DEFAULT : p.limit(parameter);
        return v.equals(Profile.DEFAULT) ? profiles.get(Profile.DEFAULT).limit(parameter) : v;
    }

    /**
     * DBA_USERS.ACCOUNT_STATUS, Oracle's words: OPEN, or the password's state (EXPIRED,
     * EXPIRED(GRACE)) and the lock's (LOCKED by ACCOUNT LOCK, LOCKED(TIMED) by failed logins),
     * joined by " & " when both hold.
     */
    public String accountStatus(User u) {
        String lock = u.lockedAt != null ? "LOCKED" : timedLock(u) ? "LOCKED(TIMED)" : null;
        String password = switch (passwordStatus(u)) {
            case OPEN -> null;
            case GRACE -> "EXPIRED(GRACE)";
            case EXPIRED -> "EXPIRED";
        };
        if (password == null) return lock == null ? "OPEN" : lock;
        return lock == null ? password : password + " & " + lock;
    }

    /** DBA_USERS.LOCK_DATE: when the account was locked (epoch milliseconds), or null when it is open. */
    public Long lockDate(User u) {
        if (u.lockedAt != null) return u.lockedAt;
        long at = u.timedLockMillis;
        return at != 0 && timedLock(u) ? at : null;
    }

    // ---- settings kept with the schema ----------------------------------------------------------

    /** The ttCkptConfig settings stored in the database (each null when never set). */
    public CatalogChange.CheckpointSettings checkpointSettings() { return checkpointSettings; }

    /** Applies ttCkptConfig: non-null values replace the stored ones. */
    public synchronized void setCheckpointSettings(CatalogChange.CheckpointSettings change) {
        var cur = checkpointSettings;
        checkpointSettings = new CatalogChange.CheckpointSettings(
                change.frequencySeconds() != null ? change.frequencySeconds() : cur.frequencySeconds(),
                change.logVolumeMb() != null ? change.logVolumeMb() : cur.logVolumeMb(),
                change.rateMbPerSecond() != null ? change.rateMbPerSecond() : cur.rateMbPerSecond());
        version.incrementAndGet();
    }

    /** The ttAgingLRUConfig settings (TimesTen's defaults until changed). */
    public CatalogChange.LruAgingSettings lruAgingSettings() { return lruAgingSettings; }

    public void setLruAgingSettings(CatalogChange.LruAgingSettings s) { lruAgingSettings = s; }

    // ---- cache groups -------------------------------------------------------------------------

    public CacheGroup cacheGroup(String owner, String name) { return cacheGroups.get(owner + "." + name); }

    public Collection<CacheGroup> cacheGroups() { return cacheGroups.values(); }

    /** The cache group whose cache table {@code t} is, or null. */
    public CacheGroup cacheGroupOf(Table t) {
        for (CacheGroup g : cacheGroups.values()) {
            if (g.holds(t.owner(), t.name())) return g;
        }
        return null;
    }

    /** The group's cache tables, the root first, each child after its parent. */
    public List<Table> cacheTables(CacheGroup g) {
        List<Table> out = new ArrayList<>();
        for (CacheGroup.Member m : g.tables()) out.add(requireTable(m.owner(), m.name()));
        return out;
    }

    public synchronized void createCacheGroup(CacheGroup g) {
        for (CacheGroup.Member m : g.tables()) requireTable(m.owner(), m.name());
        if (cacheGroups.putIfAbsent(g.qualifiedName(), g) != null) throw ErrorCode.CACHE_GROUP_EXISTS.error(g.qualifiedName());
        version.incrementAndGet();
    }

    public synchronized void alterCacheGroup(CatalogChange.AlterCacheGroup a) {
        CacheGroup g = requireCacheGroup(a.owner(), a.name());
        cacheGroups.put(g.qualifiedName(), g.with(a.mode(), a.intervalMs(), a.state()));
        version.incrementAndGet();
    }

    public synchronized void dropCacheGroup(String owner, String name) {
        requireCacheGroup(owner, name);
        cacheGroups.remove(owner + "." + name);
        version.incrementAndGet();
    }

    public CacheGroup requireCacheGroup(String owner, String name) {
        CacheGroup g = cacheGroup(owner, name);
        if (g == null) throw ErrorCode.CACHE_GROUP_NOT_FOUND.error(owner + "." + name);
        return g;
    }

    /** ttCacheAWTThresholdSet's log files (0: no limit), kept across restarts. */
    public int awtThreshold() { return awtThreshold; }

    public synchronized void setAwtThreshold(int logFiles) {
        awtThreshold = logFiles;
        version.incrementAndGet();
    }

    /** Whether ttCacheStart was called and ttCacheStop not since (kept across restarts). */
    public boolean cacheAgentRunning() { return cacheAgentRunning; }

    public synchronized void setCacheAgentRunning(boolean on) { cacheAgentRunning = on; }

    /** After a restore: every cache group is marked restored. */
    public synchronized void markCacheGroupsRestored() {
        cacheGroups.replaceAll((k, g) -> g.asRestored());
    }

    /**
     * The whole catalog as the changes that rebuild it from an empty one (the instance
     * administrator excepted: the configuration supplies that user). A checkpoint stores this;
     * the caller holds the DDL lock so it matches one point of the log.
     */
    public synchronized List<CatalogChange> snapshot() {
        List<CatalogChange> out = new ArrayList<>();
        for (Profile p : new TreeMap<>(profiles).values()) {
            if (!p.equals(Profile.BUILT_IN_DEFAULT)) out.add(new CatalogChange.SetProfile(p.name(), p.limits()));
        }
        for (User u : new TreeMap<>(users).values()) {
            if (u.instanceAdmin()) continue;
            out.add(new CatalogChange.CreateUser(u.name(), u.passwordHash));
            out.add(new CatalogChange.PasswordState(u.name(), u.passwordSetAt, u.passwordExpiredAt, u.passwordHistory));
            if (u.profile != null || u.lockedAt != null) out.add(new CatalogChange.UserAccount(u.name(), u.profile, u.lockedAt));
        }
        List<Table> byId = new ArrayList<>(tables.values());
        byId.sort(java.util.Comparator.comparingLong(Table::id));
        for (Table t : byId) {
            List<CatalogChange.ColumnSpec> cols = new ArrayList<>();
            for (Column c : t.columns()) cols.add(CatalogChange.ColumnSpec.of(c.name(), c.type(), c.notNull(), c.defaultSql()));
            List<CatalogChange.IndexSpec> ixs = new ArrayList<>();
            for (IndexDef ix : t.indexes()) {
                ixs.add(new CatalogChange.IndexSpec(ix.owner(), ix.name(), ix.columns(), ix.unique(), ix.kind(), ix.constraint()));
            }
            List<CatalogChange.CheckSpec> checks = new ArrayList<>();
            for (Table.Check c : t.checks()) checks.add(new CatalogChange.CheckSpec(c.name(), c.sql()));
            out.add(new CatalogChange.CreateTable(t.id(), t.owner(), t.name(), cols, t.primaryKey(), ixs, List.of(), List.copyOf(checks),
                    t.rowIdTag(), t.aging(), t.temporary()));
        }
        // Foreign keys once every table exists: a table may reference one created after it.
        for (Table t : byId) {
            for (ForeignKey fk : t.foreignKeys()) {
                out.add(new CatalogChange.AddForeignKey(t.owner(), t.name(), new CatalogChange.ForeignKeySpec(fk.name(),
                        fk.childColumns(), fk.parent().owner(), fk.parent().name(), fk.parentColumns(), fk.onDelete())));
            }
        }
        for (CacheGroup g : new TreeMap<>(cacheGroups).values()) out.add(new CatalogChange.CreateCacheGroup(g));
        if (cacheAgentRunning) out.add(new CatalogChange.CacheAgent(true));
        if (awtThreshold != 0) out.add(new CatalogChange.AwtThreshold(awtThreshold));
        // (before the grants, which may name them)
        for (CatalogChange.CreateView v : new TreeMap<>(views).values()) {
            out.add(new CatalogChange.CreateView(v.owner(), v.name(), v.columns(), v.sql(), false));
        }
        for (Sequence q : new TreeMap<>(sequences).values()) {
            out.add(new CatalogChange.CreateSequence(q.owner(), q.name(), q.increment(), q.min(), q.max(), q.cycle(), q.cache(),
                    q.restart()));
        }
        synonyms.values().stream()
                .sorted(java.util.Comparator.comparing((CatalogChange.CreateSynonym y) -> y.owner() == null ? "" : y.owner())
                        .thenComparing(CatalogChange.CreateSynonym::name))
                .forEach(out::add);
        comments.entrySet().stream()
                .sorted(Map.Entry.comparingByKey(java.util.Comparator.comparing(Commented::owner).thenComparing(Commented::object)
                        .thenComparing(Commented::column, java.util.Comparator.nullsFirst(java.util.Comparator.naturalOrder()))))
                .forEach(e -> out.add(new CatalogChange.Comment(e.getKey().owner(), e.getKey().object(), e.getKey().column(), e.getValue())));
        List<User> holders = new ArrayList<>(new TreeMap<>(users).values());
        holders.add(everyone);
        for (User u : holders) {
            if (u.instanceAdmin()) continue;
            for (Privilege p : u.system) out.add(new CatalogChange.Privileges(true, u.name(), p, null));
            for (var e : new TreeMap<>(u.objects).entrySet()) {
                for (Privilege p : e.getValue()) out.add(new CatalogChange.Privileges(true, u.name(), p, e.getKey()));
            }
        }
        var cs = checkpointSettings;
        if (cs.frequencySeconds() != null || cs.logVolumeMb() != null || cs.rateMbPerSecond() != null) out.add(cs);
        if (!lruAgingSettings.equals(CatalogChange.LruAgingSettings.DEFAULT)) out.add(lruAgingSettings);
        return out;
    }

    // ---- privileges ---------------------------------------------------------------------------

    /** ttOptUpdateStats(..., 1): every prepared statement is planned again at its next execution. */
    public void invalidatePlans() { version.incrementAndGet(); }

    public synchronized void grant(String user, Privilege p, Table on) { grant(user, p, on == null ? null : on.qualifiedName()); }

    /** Grants {@code p} on the table, view or sequence named {@code object} ("OWNER.NAME"), or the system privilege when null. */
    public synchronized void grant(String user, Privilege p, String object) {
        User u = grantee(user);
        if (object == null) {
            u.system.add(p);
        } else {
            u.objects.computeIfAbsent(object, k -> EnumSet.noneOf(Privilege.class)).add(p);
        }
        version.incrementAndGet();
    }

    public synchronized void revoke(String user, Privilege p, Table on) { revoke(user, p, on == null ? null : on.qualifiedName()); }

    public synchronized void revoke(String user, Privilege p, String object) {
        User u = grantee(user);
        if (object == null) {
            u.system.remove(p);
        } else {
            Set<Privilege> s = u.objects.get(object);
            if (s != null) s.remove(p);
        }
        verified.remove(user);
        version.incrementAndGet();
    }

    /** Whether {@code object} ("OWNER.NAME") is a table, a view or a sequence. */
    public boolean objectExists(String object) {
        return tables.containsKey(object) || views.containsKey(object) || sequences.containsKey(object);
    }

    /** Whether {@code u} holds system privilege {@code p} (ADMIN implies every privilege). */
    public synchronized boolean has(User u, Privilege p) {
        return u.instanceAdmin() || u.system.contains(Privilege.ADMIN) || u.system.contains(p) || everyone.system.contains(p);
    }

    /** Whether {@code u} may do {@code p} on {@code t}: owner, ADMIN, or an object grant. */
    public synchronized boolean has(User u, Privilege p, Table t) { return has(u, p, t.owner(), t.qualifiedName()); }

    /** Whether {@code u} may do {@code p} on the object {@code owner}'s {@code object} ("OWNER.NAME"): owner, ADMIN, or a grant. */
    public synchronized boolean has(User u, Privilege p, String owner, String object) {
        if (u.instanceAdmin() || u.system.contains(Privilege.ADMIN) || owner.equals(u.name())) return true;
        Set<Privilege> s = u.objects.get(object), all = everyone.objects.get(object);
        return (s != null && s.contains(p)) || (all != null && all.contains(p));
    }

    /** (user, privilege, object) rows for ttUserPrivileges-style listings; object "" for system. */
    public synchronized List<String[]> privilegeRows() {
        List<String[]> rows = new ArrayList<>();
        List<User> holders = new ArrayList<>(new TreeMap<>(users).values());
        if (!users.containsKey(PUBLIC)) holders.add(everyone);
        for (User u : holders) {
            if (u.instanceAdmin()) {
                rows.add(new String[] {u.name(), "ADMIN", ""});
                continue;
            }
            for (Privilege p : u.system) rows.add(new String[] {u.name(), p.sqlName(), ""});
            for (var e : new TreeMap<>(u.objects).entrySet()) {
                for (Privilege p : e.getValue()) rows.add(new String[] {u.name(), p.sqlName(), e.getKey()});
            }
        }
        return rows;
    }
}
