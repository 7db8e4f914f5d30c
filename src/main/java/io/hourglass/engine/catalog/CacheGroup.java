package io.hourglass.engine.catalog;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A cache group: a cache table, {@code tableOwner.tableName}, that holds the rows of a table of
 * the backend database, and, in a group of several tables, child cache tables of other backend
 * tables ({@code children}) that hold the rows referencing its rows.
 *
 * <p>READONLY: only the cache agent writes the table (users get TT8225). Its AUTOREFRESH
 * settings say how the agent keeps it current: MODE INCREMENTAL reads the keys a trigger on the
 * backend table writes to a change log; MODE FULL reads the whole backend table; every
 * {@code intervalMs}, while the state is ON.
 *
 * <p>SYNCHRONOUS WRITETHROUGH ({@code writethrough}): users write the table, and each commit
 * that changed it writes the same changes to the backend table and commits there first; no
 * autorefresh (MODE FULL, STATE OFF, which nothing changes), LOAD and REFRESH read the backend.
 *
 * <p>ASYNCHRONOUS WRITETHROUGH ({@code writethrough} and {@code asynchronous}): users write the
 * table and commit here; the cache agent then applies the committed changes to the backend, in
 * commit order, from the log (which holds them until the backend has them).
 *
 * @param cacheId names the group's objects in the backend (change log, trigger): random, so two
 *                databases caching one backend table never share them
 * @param dynamic DYNAMIC: a statement that names a whole primary key the cache table lacks loads
 *                that row from the backend first (a dynamic load); autorefresh and REFRESH keep
 *                the rows cached current and bring in no others
 * @param restored the group came with a restore (a backup or the Kafka archive): its rows are
 *                 stale and its backend objects may be gone or still the source database's, so
 *                 it is neither refreshed nor altered, and dropping it leaves the backend alone
 * @param usermanaged USERMANAGED: with {@code writethrough} and without {@code propagate} (its table
 *                 neither READONLY nor PROPAGATE), users write the table and commit here only, and
 *                 FLUSH CACHE GROUP sends its rows to the backend by hand; with {@code propagate}
 *                 (PROPAGATE), each commit writes the backend first, as SYNCHRONOUS WRITETHROUGH;
 *                 without {@code writethrough} (READONLY), the table is read-only, autorefreshed
 *                 if the group has AUTOREFRESH
 * @param propagate a USERMANAGED table's PROPAGATE attribute
 * @param children the group's child tables after its root table ({@code tableOwner.tableName}),
 *                 each after the table its foreign key references (TimesTen's multiple-table cache
 *                 group): a cache instance is a root row and the rows that reference it, and theirs
 * @param conditions each table's WHERE clause of CREATE CACHE GROUP, in {@link #tables()} order, in the
 *                 backend's SQL ("" for a table without one): only the backend rows it holds for are
 *                 cached (READONLY and USERMANAGED groups); empty when no table has one
 */
public record CacheGroup(String owner, String name, long cacheId, String tableOwner, String tableName,
                         Mode mode, long intervalMs, State state, boolean restored, boolean writethrough,
                         boolean asynchronous, boolean dynamic, boolean usermanaged, boolean propagate, List<Member> children,
                         List<String> conditions) {

    public CacheGroup {
        children = List.copyOf(children);
        conditions = List.copyOf(conditions);
        if (!conditions.isEmpty() && conditions.size() != 1 + children.size()) {
            throw new IllegalArgumentException("cache group " + owner + "." + name + " has " + (1 + children.size()) + " tables and "
                    + conditions.size() + " conditions");
        }
        if (conditions.stream().allMatch(String::isEmpty)) conditions = List.of();
    }

    /** A group without WHERE clauses. */
    public CacheGroup(String owner, String name, long cacheId, String tableOwner, String tableName,
                      Mode mode, long intervalMs, State state, boolean restored, boolean writethrough,
                      boolean asynchronous, boolean dynamic, boolean usermanaged, boolean propagate, List<Member> children) {
        this(owner, name, cacheId, tableOwner, tableName, mode, intervalMs, state, restored, writethrough, asynchronous, dynamic, usermanaged,
                propagate, children, List.of());
    }

    /** A group of one table. */
    public CacheGroup(String owner, String name, long cacheId, String tableOwner, String tableName,
                      Mode mode, long intervalMs, State state, boolean restored, boolean writethrough,
                      boolean asynchronous, boolean dynamic, boolean usermanaged, boolean propagate) {
        this(owner, name, cacheId, tableOwner, tableName, mode, intervalMs, state, restored, writethrough, asynchronous, dynamic, usermanaged,
                propagate, List.of());
    }

    /** A cache table of the group, by owner and name. */
    public record Member(String owner, String name) {
        public String qualifiedName() { return owner + "." + name; }
    }

    /** The root table, then the children, each after its parent. */
    public List<Member> tables() {
        List<Member> out = new ArrayList<>(1 + children.size());
        out.add(new Member(tableOwner, tableName));
        out.addAll(children);
        return out;
    }

    /** Whether {@code owner.table} is one of the group's cache tables. */
    public boolean holds(String owner, String table) {
        if (tableOwner.equals(owner) && tableName.equals(table)) return true;
        for (Member m : children) if (m.owner().equals(owner) && m.name().equals(table)) return true;
        return false;
    }

    /**
     * The suffix of the backend objects of the group's table number {@code i} (0: the root, whose
     * objects keep the group's id alone, as a group of one table has them).
     */
    public String backendId(int i) { return i == 0 ? backendId() : backendId() + "_" + i; }

    /** The WHERE clause of the group's table number {@code i} (0: the root), in the backend's SQL; null if it has none. */
    public String condition(int i) { return conditions.isEmpty() || conditions.get(i).isEmpty() ? null : conditions.get(i); }

    /** The group with these WHERE clauses ({@link #conditions}). */
    public CacheGroup withConditions(List<String> c) {
        return new CacheGroup(owner, name, cacheId, tableOwner, tableName, mode, intervalMs, state, restored, writethrough, asynchronous, dynamic,
                usermanaged, propagate, children, c);
    }

    /** How an autorefresh finds what changed. Ordinals are in the log: never reorder. */
    public enum Mode { INCREMENTAL, FULL }

    /**
     * OFF: no autorefresh (the next ON starts with a full one); ON: refreshed every interval;
     * PAUSED: not refreshed, the backend's changes are still collected. Ordinals are in the log.
     */
    public enum State { OFF, ON, PAUSED }

    /** TimesTen's defaults: MODE INCREMENTAL, INTERVAL 5 MINUTES, STATE PAUSED. */
    public static final long DEFAULT_INTERVAL_MS = 5 * 60_000;

    public String qualifiedName() { return owner + "." + name; }

    public String tableQualifiedName() { return tableOwner + "." + tableName; }

    public CacheGroup with(Mode m, long interval, State s) {
        return new CacheGroup(owner, name, cacheId, tableOwner, tableName, m, interval, s, restored, writethrough, asynchronous, dynamic, usermanaged,
                propagate, children, conditions);
    }

    public CacheGroup asRestored() {
        return new CacheGroup(owner, name, cacheId, tableOwner, tableName, mode, intervalMs, state, true, writethrough, asynchronous, dynamic, usermanaged,
                propagate, children, conditions);
    }

    /** The group's type as CREATE names it (without DYNAMIC). */
    public String type() {
        return usermanaged ? "USERMANAGED" : !writethrough ? "READONLY" : asynchronous ? "ASYNCHRONOUS WRITETHROUGH" : "SYNCHRONOUS WRITETHROUGH";
    }

    /**
     * What its tables are, as ttIsql's cachegroups says it: READ ONLY (a READONLY group, or a
     * USERMANAGED group's READONLY tables), PROPAGATE or NOT PROPAGATE (a USERMANAGED group's
     * other tables), or the write-through group's type.
     */
    public String tableType() {
        if (!writethrough) return "READ ONLY";
        if (usermanaged) return propagate ? "PROPAGATE" : "NOT PROPAGATE";
        return type();
    }

    /** SYNCHRONOUS WRITETHROUGH: each commit writes the backend first. */
    public boolean synchronous() { return writethrough && !asynchronous && (!usermanaged || propagate); }

    /** A USERMANAGED group whose table is neither READONLY nor PROPAGATE: written here, sent by FLUSH. */
    public boolean flushed() { return usermanaged && writethrough && !propagate; }

    /**
     * The name an identifier has in the backend (PostgreSQL): an unquoted name, which Hourglass
     * stores in capitals, is PostgreSQL's folded lower case; a name with a lower-case letter (it
     * was quoted) is taken as written.
     */
    public static String backendName(String hourglassName) {
        return hourglassName.equals(hourglassName.toUpperCase(Locale.ROOT)) ? hourglassName.toLowerCase(Locale.ROOT) : hourglassName;
    }

    /** The backend objects' suffix: the cache id in hexadecimal. */
    public String backendId() { return Long.toHexString(cacheId); }
}
