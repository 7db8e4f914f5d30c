package io.hourglass.engine.log;

import io.hourglass.engine.catalog.Aging;
import io.hourglass.engine.catalog.CacheGroup;
import io.hourglass.engine.catalog.CatalogChange;
import io.hourglass.engine.catalog.ForeignKey;
import io.hourglass.engine.catalog.IndexDef;
import io.hourglass.engine.catalog.Privilege;
import io.hourglass.engine.catalog.TypeKind;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes catalog changes and decodes record payloads (layouts in {@link LogRecord} and
 * docs/FORMAT.md); {@link LogBatch} writes the other records.
 */
public final class LogCodec {
    private static final java.lang.invoke.VarHandle LE_LONG =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final java.lang.invoke.VarHandle LE_INT =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private LogCodec() {}

    // Catalog change kinds in a DDL payload's first byte. Never renumber.
    private static final int CREATE_TABLE = 1, DROP_TABLE = 2, CREATE_INDEX = 3, DROP_INDEX = 4, CREATE_USER = 5,
            ALTER_PASSWORD = 6, DROP_USER = 7, PRIVILEGES = 8, CHECKPOINT_SETTINGS = 9, CREATE_SEQUENCE = 10, DROP_SEQUENCE = 11,
            SEQUENCE_RESTART = 12, CREATE_VIEW = 13, DROP_VIEW = 14, ADD_FOREIGN_KEY = 15, DROP_FOREIGN_KEY = 16,
            ADD_CHECK = 17, ALTER_COLUMNS = 18, TRUNCATE_TABLE = 19, CREATE_CACHE_GROUP = 20, ALTER_CACHE_GROUP = 21,
            DROP_CACHE_GROUP = 22, CACHE_AGENT = 23, RESTORED_CACHE_GROUPS = 24, MODIFY_COLUMNS = 25, AWT_THRESHOLD = 26, RENAME_TABLE = 27,
            MODIFY_COLUMNS_IN_PLACE = 28, RENAME_COLUMN = 29, SET_AGING = 30, COMMENT = 31, CREATE_SYNONYM = 32, DROP_SYNONYM = 33,
            SET_PROFILE = 34, DROP_PROFILE = 35, USER_ACCOUNT = 36, LRU_AGING_SETTINGS = 37, PASSWORD_STATE = 38;
    /**
     * CREATE CACHE GROUP's flags byte: the group came with a restore; it is WRITETHROUGH (else
     * READONLY); the write-through is ASYNCHRONOUS (else SYNCHRONOUS); it is DYNAMIC; it is
     * USERMANAGED; its USERMANAGED table is PROPAGATE.
     */
    private static final int GROUP_RESTORED = 1, GROUP_WRITETHROUGH = 2, GROUP_ASYNCHRONOUS = 4, GROUP_DYNAMIC = 8, GROUP_USERMANAGED = 16, GROUP_PROPAGATE = 32,
            GROUP_TABLES = 64, GROUP_CONDITIONS = 128; // (what follows the flags: a record cut before it is not read as a group without it)

    /** The payload of a DDL record; also how a checkpoint file stores its catalog. */
    public static byte[] ddlPayload(CatalogChange c) {
        Out o = new Out(128);
        switch (c) {
            case CatalogChange.CreateTable ct -> {
                o.u8(CREATE_TABLE).u64(ct.tableId()).str(ct.owner()).str(ct.name()).u32(ct.columns().size());
                for (CatalogChange.ColumnSpec col : ct.columns()) column(o, col);
                o.ints(ct.primaryKey()).u32(ct.indexes().size());
                for (CatalogChange.IndexSpec ix : ct.indexes()) index(o, ix);
                o.u32(ct.foreignKeys().size());
                for (CatalogChange.ForeignKeySpec fk : ct.foreignKeys()) foreignKey(o, fk);
                o.u32(ct.checks().size());
                for (CatalogChange.CheckSpec ck : ct.checks()) o.str(ck.name()).str(ck.sql());
                aging(o.u64(ct.rowIdTag()), ct.aging()).u8(ct.temporary() == null ? 0 : 1 + ct.temporary().ordinal());
            }
            case CatalogChange.DropTable dt -> o.u8(DROP_TABLE).str(dt.owner()).str(dt.name());
            case CatalogChange.CreateIndex ci -> index(o.u8(CREATE_INDEX).str(ci.tableOwner()).str(ci.tableName()), ci.index());
            case CatalogChange.DropIndex di -> o.u8(DROP_INDEX).str(di.owner()).str(di.name());
            case CatalogChange.CreateUser cu -> o.u8(CREATE_USER).str(cu.name()).str(cu.passwordHash());
            case CatalogChange.AlterPassword ap -> o.u8(ALTER_PASSWORD).str(ap.name()).str(ap.passwordHash());
            case CatalogChange.DropUser du -> o.u8(DROP_USER).str(du.name());
            case CatalogChange.Privileges p -> o.u8(PRIVILEGES).u8(p.grant() ? 1 : 0).str(p.user())
                    .str(p.privilege().name()).str(p.table());
            case CatalogChange.CheckpointSettings cs -> o.u8(CHECKPOINT_SETTINGS).u32(orMinus1(cs.frequencySeconds()))
                    .u32(orMinus1(cs.logVolumeMb())).u32(orMinus1(cs.rateMbPerSecond()));
            case CatalogChange.LruAgingSettings ls -> o.u8(LRU_AGING_SETTINGS).u64(Double.doubleToLongBits(ls.lowUsage()))
                    .u64(Double.doubleToLongBits(ls.highUsage())).u32(ls.cycleMinutes());
            case CatalogChange.CreateSequence cs -> optionalLong(o.u8(CREATE_SEQUENCE).str(cs.owner()).str(cs.name()).u64(cs.increment())
                    .u64(cs.min()).u64(cs.max()).u8(cs.cycle() ? 1 : 0).u64(cs.cache()), cs.restart());
            case CatalogChange.DropSequence ds -> o.u8(DROP_SEQUENCE).str(ds.owner()).str(ds.name());
            case CatalogChange.SequenceRestart sr -> optionalLong(o.u8(SEQUENCE_RESTART).str(sr.owner()).str(sr.name()), sr.restart());
            case CatalogChange.CreateView cv -> {
                o.u8(CREATE_VIEW).str(cv.owner()).str(cv.name()).u32(cv.columns().size());
                for (String col : cv.columns()) o.str(col);
                o.str(cv.sql()).u8(cv.replace() ? 1 : 0);
            }
            case CatalogChange.DropView dv -> o.u8(DROP_VIEW).str(dv.owner()).str(dv.name());
            case CatalogChange.AddForeignKey af -> foreignKey(o.u8(ADD_FOREIGN_KEY).str(af.owner()).str(af.table()), af.foreignKey());
            case CatalogChange.DropForeignKey df -> o.u8(DROP_FOREIGN_KEY).str(df.owner()).str(df.table()).str(df.name());
            case CatalogChange.AlterColumns ac -> {
                o.u8(ALTER_COLUMNS).str(ac.owner()).str(ac.table()).u64(ac.newTableId()).u32(ac.dropped().size());
                for (String d : ac.dropped()) o.str(d);
                o.u32(ac.added().size());
                for (CatalogChange.ColumnSpec col : ac.added()) column(o, col);
                o.bytes(ac.fill()).u32(ac.indexes().size());
                for (CatalogChange.IndexSpec ix : ac.indexes()) index(o, ix);
            }
            case CatalogChange.TruncateTable tt -> o.u8(TRUNCATE_TABLE).str(tt.owner()).str(tt.table()).u64(tt.newTableId());
            case CatalogChange.ModifyColumns mc -> {
                o.u8(MODIFY_COLUMNS).str(mc.owner()).str(mc.table()).u64(mc.newTableId()).u32(mc.modified().size());
                for (CatalogChange.ColumnSpec col : mc.modified()) column(o, col);
            }
            case CatalogChange.ModifyColumnsInPlace mc -> {
                o.u8(MODIFY_COLUMNS_IN_PLACE).str(mc.owner()).str(mc.table()).u32(mc.modified().size());
                for (CatalogChange.ColumnSpec col : mc.modified()) column(o, col);
            }
            case CatalogChange.CreateCacheGroup cg -> {
                var g = cg.group();
                o.u8(CREATE_CACHE_GROUP).str(g.owner()).str(g.name()).u64(g.cacheId()).str(g.tableOwner()).str(g.tableName())
                        .u8(g.mode().ordinal()).u64(g.intervalMs()).u8(g.state().ordinal())
                        .u8((g.restored() ? GROUP_RESTORED : 0) | (g.writethrough() ? GROUP_WRITETHROUGH : 0)
                                | (g.asynchronous() ? GROUP_ASYNCHRONOUS : 0) | (g.dynamic() ? GROUP_DYNAMIC : 0)
                                | (g.usermanaged() ? GROUP_USERMANAGED : 0) | (g.propagate() ? GROUP_PROPAGATE : 0)
                                | (g.children().isEmpty() ? 0 : GROUP_TABLES) | (g.conditions().isEmpty() ? 0 : GROUP_CONDITIONS));
                if (!g.children().isEmpty()) { // (a group of one table ends here, as before there were others)
                    o.u32(g.children().size());
                    for (CacheGroup.Member m : g.children()) o.str(m.owner()).str(m.name());
                }
                if (!g.conditions().isEmpty()) { // (and a group without WHERE clauses here, as before there were any)
                    o.u32(g.conditions().size());
                    for (String w : g.conditions()) o.str(w);
                }
            }
            case CatalogChange.AlterCacheGroup ag -> o.u8(ALTER_CACHE_GROUP).str(ag.owner()).str(ag.name()).u8(ag.mode().ordinal())
                    .u64(ag.intervalMs()).u8(ag.state().ordinal());
            case CatalogChange.DropCacheGroup dg -> o.u8(DROP_CACHE_GROUP).str(dg.owner()).str(dg.name());
            case CatalogChange.CacheAgent ca -> o.u8(CACHE_AGENT).u8(ca.running() ? 1 : 0);
            case CatalogChange.RestoredCacheGroups rc -> o.u8(RESTORED_CACHE_GROUPS);
            case CatalogChange.AwtThreshold at -> o.u8(AWT_THRESHOLD).u32(at.logFiles());
            case CatalogChange.RenameTable rt -> o.u8(RENAME_TABLE).str(rt.owner()).str(rt.name()).str(rt.newName());
            case CatalogChange.RenameColumn rc -> o.u8(RENAME_COLUMN).str(rc.owner()).str(rc.table()).str(rc.column()).str(rc.newName());
            case CatalogChange.SetAging sa -> aging(o.u8(SET_AGING).str(sa.owner()).str(sa.table()), sa.aging());
            case CatalogChange.Comment cm -> o.u8(COMMENT).str(cm.owner()).str(cm.object()).str(cm.column()).str(cm.text());
            case CatalogChange.CreateSynonym cy -> o.u8(CREATE_SYNONYM).str(cy.owner()).str(cy.name()).str(cy.targetOwner()).str(cy.targetName());
            case CatalogChange.DropSynonym dy -> o.u8(DROP_SYNONYM).str(dy.owner()).str(dy.name());
            case CatalogChange.SetProfile sp -> {
                o.u8(SET_PROFILE).str(sp.name()).u32(sp.limits().size());
                for (var e : new java.util.TreeMap<>(sp.limits()).entrySet()) o.str(e.getKey()).str(e.getValue());
            }
            case CatalogChange.DropProfile dp -> o.u8(DROP_PROFILE).str(dp.name());
            case CatalogChange.UserAccount ua -> optionalLong(o.u8(USER_ACCOUNT).str(ua.name()).str(ua.profile()), ua.lockedAt());
            case CatalogChange.PasswordState ps -> {
                o.u8(PASSWORD_STATE).str(ps.name()).u64(ps.setAt()).u64(ps.expiredAt()).u32(ps.history().size());
                for (var old : ps.history()) o.str(old.hash()).u64(old.setAt()).u64(old.replacedAt());
            }
            case CatalogChange.AddCheck ac -> o.u8(ADD_CHECK).str(ac.owner()).str(ac.table()).str(ac.check().name()).str(ac.check().sql());
        }
        return o.toArray();
    }

    /**
     * An aging policy: u8 0 for none; u8 1 (time-based), then its column, u64 lifetime, u8 unit,
     * u64 cycle, u8 unit, u8 state (1 ON); or u8 2 (LRU), then u8 state; or u8 3 (LRU with
     * row thresholds), then u8 state, u64 low, u64 high, u32 cycle minutes.
     */
    private static Out aging(Out o, Aging a) {
        if (a == null) return o.u8(0);
        if (a.isLru() && a.rows() != null) {
            return o.u8(3).u8(a.on() ? 1 : 0).u64(a.rows().low()).u64(a.rows().high()).u32(a.rows().cycleMinutes());
        }
        if (a.isLru()) return o.u8(2).u8(a.on() ? 1 : 0);
        return o.u8(1).str(a.column()).u64(a.lifetime()).u8(a.lifetimeUnit().ordinal()).u64(a.cycle()).u8(a.cycleUnit().ordinal())
                .u8(a.on() ? 1 : 0);
    }

    private static Aging aging(ByteBuffer p) {
        byte kind = p.get();
        if (kind == 0) return null;
        if (kind == 2) return Aging.lru(p.get() != 0);
        if (kind == 3) return Aging.lru(p.get() != 0, new Aging.RowThresholds(p.getLong(), p.getLong(), p.getInt()));
        if (kind != 1) throw new IllegalArgumentException("bad aging policy kind " + kind);
        String column = str(p);
        long lifetime = p.getLong();
        Aging.Unit lifetimeUnit = unit(p.get());
        long cycle = p.getLong();
        return new Aging(column, lifetime, lifetimeUnit, cycle, unit(p.get()), p.get() != 0);
    }

    private static Aging.Unit unit(byte b) {
        Aging.Unit[] units = Aging.Unit.values();
        if (b < 0 || b >= units.length) throw new IllegalArgumentException("bad aging unit " + b);
        return units[b];
    }

    /** A value or null (a sequence's restart point, null for exhausted): u8 1 and the u64 value, or u8 0. */
    private static Out optionalLong(Out o, Long v) { return v == null ? o.u8(0) : o.u8(1).u64(v); }

    private static Long optionalLong(ByteBuffer p) { return p.get() != 0 ? p.getLong() : null; }

    private static int orMinus1(Integer v) { return v == null ? -1 : v; }

    private static Integer nullIfMinus1(int v) { return v == -1 ? null : v; }

    /**
     * Decodes a catalog change written by {@link #ddlPayload}; IllegalArgumentException when it
     * does not parse.
     */
    public static CatalogChange decodeChange(ByteBuffer p) {
        try {
            return change(p.order(ByteOrder.LITTLE_ENDIAN));
        } catch (BufferUnderflowException | IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("truncated catalog change", e);
        }
    }

    private static void index(Out o, CatalogChange.IndexSpec ix) {
        o.str(ix.owner()).str(ix.name()).ints(ix.columns()).u8(ix.unique() ? 1 : 0).u8(ix.kind().ordinal())
                .u8(ix.constraint() ? 1 : 0);
    }

    private static void foreignKey(Out o, CatalogChange.ForeignKeySpec fk) {
        o.str(fk.name()).ints(fk.columns()).str(fk.parentOwner()).str(fk.parentName()).ints(fk.parentColumns())
                .u8(fk.onDelete().ordinal());
    }

    private static CatalogChange.ForeignKeySpec foreignKey(ByteBuffer p) {
        return new CatalogChange.ForeignKeySpec(str(p), ints(p), str(p), str(p), ints(p), onDelete(p.get()));
    }

    private static ForeignKey.OnDelete onDelete(int rule) {
        if (rule < 0 || rule >= ForeignKey.OnDelete.values().length) throw new IllegalArgumentException("bad ON DELETE rule " + rule);
        return ForeignKey.OnDelete.values()[rule];
    }

    /**
     * Decodes a record whose header was already validated. Throws IllegalArgumentException when
     * the payload does not parse (the reader treats that as an invalid record).
     */
    static LogRecord decode(long lsn, byte type, long txnId, ByteBuffer p) {
        try {
            return switch (type) {
                case LogRecord.INSERT, LogRecord.UPDATE ->
                        new LogRecord.RowImage(lsn, txnId, type == LogRecord.INSERT, p.getLong(), p.getLong(), bytes(p));
                case LogRecord.DELETE -> new LogRecord.RowDelete(lsn, txnId, p.getLong(), p.getLong());
                case LogRecord.DDL -> new LogRecord.Ddl(lsn, txnId, change(p));
                case LogRecord.COMMIT -> new LogRecord.Commit(lsn, txnId, p.getLong());
                case LogRecord.ROLLBACK -> new LogRecord.Rollback(lsn, txnId);
                case LogRecord.SHUTDOWN -> new LogRecord.Shutdown(lsn, txnId);
                case LogRecord.OPENED -> new LogRecord.Opened(lsn, txnId);
                case LogRecord.BEFORE -> {
                    long table = p.getLong(), row = p.getLong();
                    int n = p.getInt();
                    if (n < -1) throw new IllegalArgumentException("bad image length " + n);
                    byte[] image = null;
                    if (n >= 0) {
                        image = new byte[n];
                        p.get(image);
                    }
                    yield new LogRecord.RowBefore(lsn, txnId, table, row, image);
                }
                default -> throw new IllegalArgumentException("unknown record type " + type);
            };
        } catch (BufferUnderflowException | IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("truncated payload", e);
        }
    }

    private static CatalogChange change(ByteBuffer p) {
        int kind = p.get() & 0xFF;
        return switch (kind) {
            case CREATE_TABLE -> {
                long id = p.getLong();
                String owner = str(p), name = str(p);
                int n = p.getInt();
                List<CatalogChange.ColumnSpec> cols = new ArrayList<>(n);
                for (int i = 0; i < n; i++) cols.add(column(p));
                int[] pk = ints(p);
                int m = p.getInt();
                List<CatalogChange.IndexSpec> ixs = new ArrayList<>(m);
                for (int i = 0; i < m; i++) ixs.add(index(p));
                // (payloads written before foreign keys existed end here)
                int f = p.hasRemaining() ? p.getInt() : 0;
                List<CatalogChange.ForeignKeySpec> fks = new ArrayList<>(f);
                for (int i = 0; i < f; i++) fks.add(foreignKey(p));
                // (and payloads written before CHECK constraints existed, here)
                int k = p.hasRemaining() ? p.getInt() : 0;
                List<CatalogChange.CheckSpec> checks = new ArrayList<>(k);
                for (int i = 0; i < k; i++) checks.add(new CatalogChange.CheckSpec(str(p), str(p)));
                // (and payloads written before ROWIDs, here: the table's ROWIDs carry its id)
                long rowIdTag = p.hasRemaining() ? p.getLong() : id;
                // (and payloads written before aging, here: no policy)
                Aging aging = p.hasRemaining() ? aging(p) : null;
                // (and payloads written before GLOBAL TEMPORARY tables, here: a table of rows of its own)
                int temporary = p.hasRemaining() ? p.get() & 0xFF : 0;
                if (temporary > io.hourglass.engine.catalog.Table.OnCommit.values().length) {
                    throw new IllegalArgumentException("CREATE TABLE of " + owner + "." + name + " has an unknown ON COMMIT " + temporary);
                }
                yield new CatalogChange.CreateTable(id, owner, name, cols, pk, ixs, List.copyOf(fks), List.copyOf(checks), rowIdTag, aging,
                        temporary == 0 ? null : io.hourglass.engine.catalog.Table.OnCommit.values()[temporary - 1]);
            }
            case DROP_TABLE -> new CatalogChange.DropTable(str(p), str(p));
            case CREATE_INDEX -> new CatalogChange.CreateIndex(str(p), str(p), index(p));
            case DROP_INDEX -> new CatalogChange.DropIndex(str(p), str(p));
            case CREATE_USER -> new CatalogChange.CreateUser(str(p), str(p));
            case ALTER_PASSWORD -> new CatalogChange.AlterPassword(str(p), str(p));
            case DROP_USER -> new CatalogChange.DropUser(str(p));
            case PRIVILEGES -> new CatalogChange.Privileges(p.get() != 0, str(p), Privilege.valueOf(str(p)), str(p));
            case CHECKPOINT_SETTINGS -> new CatalogChange.CheckpointSettings(nullIfMinus1(p.getInt()), nullIfMinus1(p.getInt()),
                    nullIfMinus1(p.getInt()));
            case LRU_AGING_SETTINGS -> new CatalogChange.LruAgingSettings(Double.longBitsToDouble(p.getLong()),
                    Double.longBitsToDouble(p.getLong()), p.getInt());
            case CREATE_SEQUENCE -> new CatalogChange.CreateSequence(str(p), str(p), p.getLong(), p.getLong(), p.getLong(), p.get() != 0,
                    p.getLong(), optionalLong(p));
            case DROP_SEQUENCE -> new CatalogChange.DropSequence(str(p), str(p));
            case SEQUENCE_RESTART -> new CatalogChange.SequenceRestart(str(p), str(p), optionalLong(p));
            case CREATE_VIEW -> {
                String owner = str(p), name = str(p);
                int n = p.getInt();
                List<String> cols = new ArrayList<>(n);
                for (int i = 0; i < n; i++) cols.add(str(p));
                yield new CatalogChange.CreateView(owner, name, List.copyOf(cols), str(p), p.get() != 0);
            }
            case DROP_VIEW -> new CatalogChange.DropView(str(p), str(p));
            case CREATE_CACHE_GROUP -> {
                String owner = str(p), name = str(p);
                long id = p.getLong();
                String tableOwner = str(p), tableName = str(p);
                CacheGroup.Mode mode = CacheGroup.Mode.values()[p.get()];
                long interval = p.getLong();
                CacheGroup.State state = CacheGroup.State.values()[p.get()];
                int flags = p.get() & 0xFF;
                // (a record written before GROUP_TABLES was has its child tables without the flag)
                int n = (flags & GROUP_TABLES) != 0 || ((flags & GROUP_CONDITIONS) == 0 && p.hasRemaining()) ? p.getInt() : 0;
                if (n < 0 || n > p.remaining() / 4) throw new IllegalArgumentException("cache group " + owner + "." + name + " of " + n + " child tables");
                List<CacheGroup.Member> children = new ArrayList<>(n);
                for (int i = 0; i < n; i++) children.add(new CacheGroup.Member(str(p), str(p)));
                int w = (flags & GROUP_CONDITIONS) != 0 ? p.getInt() : 0;
                if ((flags & GROUP_CONDITIONS) != 0 && w != n + 1) throw new IllegalArgumentException("cache group " + owner + "." + name + " of " + (n + 1) + " tables and " + w + " conditions");
                List<String> conditions = new ArrayList<>(w);
                for (int i = 0; i < w; i++) conditions.add(str(p));
                yield new CatalogChange.CreateCacheGroup(new CacheGroup(owner, name, id, tableOwner, tableName, mode, interval, state,
                        (flags & GROUP_RESTORED) != 0, (flags & GROUP_WRITETHROUGH) != 0, (flags & GROUP_ASYNCHRONOUS) != 0,
                        (flags & GROUP_DYNAMIC) != 0, (flags & GROUP_USERMANAGED) != 0,
                        (flags & GROUP_PROPAGATE) != 0, children, conditions));
            }
            case ALTER_CACHE_GROUP -> new CatalogChange.AlterCacheGroup(str(p), str(p), CacheGroup.Mode.values()[p.get()], p.getLong(),
                    CacheGroup.State.values()[p.get()]);
            case DROP_CACHE_GROUP -> new CatalogChange.DropCacheGroup(str(p), str(p));
            case CACHE_AGENT -> new CatalogChange.CacheAgent(p.get() != 0);
            case RESTORED_CACHE_GROUPS -> new CatalogChange.RestoredCacheGroups();
            case AWT_THRESHOLD -> new CatalogChange.AwtThreshold(p.getInt());
            case RENAME_TABLE -> new CatalogChange.RenameTable(str(p), str(p), str(p));
            case RENAME_COLUMN -> new CatalogChange.RenameColumn(str(p), str(p), str(p), str(p));
            case SET_AGING -> new CatalogChange.SetAging(str(p), str(p), aging(p));
            case COMMENT -> new CatalogChange.Comment(str(p), str(p), str(p), str(p));
            case CREATE_SYNONYM -> new CatalogChange.CreateSynonym(str(p), str(p), str(p), str(p));
            case DROP_SYNONYM -> new CatalogChange.DropSynonym(str(p), str(p));
            case SET_PROFILE -> {
                String name = str(p);
                int n = p.getInt();
                java.util.Map<String, String> limits = new java.util.HashMap<>();
                for (int i = 0; i < n; i++) {
                    String parameter = str(p), value = str(p);
                    if (parameter == null || value == null) throw new IllegalArgumentException("a profile limit without a name or value");
                    limits.put(parameter, value);
                }
                yield new CatalogChange.SetProfile(name, limits);
            }
            case DROP_PROFILE -> new CatalogChange.DropProfile(str(p));
            case USER_ACCOUNT -> new CatalogChange.UserAccount(str(p), str(p), optionalLong(p));
            case PASSWORD_STATE -> {
                String name = str(p);
                long setAt = p.getLong();
                long expiredAt = p.getLong();
                int n = p.getInt();
                if (n < 0 || n > p.remaining() / 20) throw new IllegalArgumentException("a password history of " + n + " entries");
                List<io.hourglass.engine.catalog.User.OldPassword> history = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    String hash = str(p);
                    if (hash == null) throw new IllegalArgumentException("an old password without a hash");
                    history.add(new io.hourglass.engine.catalog.User.OldPassword(hash, p.getLong(), p.getLong()));
                }
                yield new CatalogChange.PasswordState(name, setAt, expiredAt, history);
            }
            case ADD_FOREIGN_KEY -> new CatalogChange.AddForeignKey(str(p), str(p), foreignKey(p));
            case DROP_FOREIGN_KEY -> new CatalogChange.DropForeignKey(str(p), str(p), str(p));
            case ALTER_COLUMNS -> {
                String owner = str(p), table = str(p);
                long id = p.getLong();
                int d = p.getInt();
                List<String> dropped = new ArrayList<>(d);
                for (int i = 0; i < d; i++) dropped.add(str(p));
                int a = p.getInt();
                List<CatalogChange.ColumnSpec> added = new ArrayList<>(a);
                for (int i = 0; i < a; i++) added.add(column(p));
                byte[] fill = bytes(p);
                int x = p.getInt();
                List<CatalogChange.IndexSpec> ixs = new ArrayList<>(x);
                for (int i = 0; i < x; i++) ixs.add(index(p));
                yield new CatalogChange.AlterColumns(owner, table, id, List.copyOf(dropped), List.copyOf(added), fill, List.copyOf(ixs));
            }
            case TRUNCATE_TABLE -> new CatalogChange.TruncateTable(str(p), str(p), p.getLong());
            case MODIFY_COLUMNS -> {
                String owner = str(p), table = str(p);
                long id = p.getLong();
                yield new CatalogChange.ModifyColumns(owner, table, id, columns(p));
            }
            case MODIFY_COLUMNS_IN_PLACE -> {
                String owner = str(p), table = str(p);
                yield new CatalogChange.ModifyColumnsInPlace(owner, table, columns(p));
            }
            case ADD_CHECK -> new CatalogChange.AddCheck(str(p), str(p), new CatalogChange.CheckSpec(str(p), str(p)));
            default -> throw new IllegalArgumentException("unknown catalog change " + kind);
        };
    }

    /** A column: name, type kind, length, precision, scale, NOT NULL, DEFAULT's text. */
    private static void column(Out o, CatalogChange.ColumnSpec col) {
        o.str(col.name()).u8(col.kind().ordinal()).u32(col.length()).u32(col.precision()).u32(col.scale())
                .u8(col.notNull() ? 1 : 0).str(col.defaultSql());
    }

    /** A u32-counted list of columns. */
    private static List<CatalogChange.ColumnSpec> columns(ByteBuffer p) {
        int m = p.getInt();
        List<CatalogChange.ColumnSpec> out = new ArrayList<>(m);
        for (int i = 0; i < m; i++) out.add(column(p));
        return List.copyOf(out);
    }

    private static CatalogChange.ColumnSpec column(ByteBuffer p) {
        return new CatalogChange.ColumnSpec(str(p), TypeKind.values()[p.get()], p.getInt(), p.getInt(), p.getInt(), p.get() != 0, str(p));
    }

    private static CatalogChange.IndexSpec index(ByteBuffer p) {
        return new CatalogChange.IndexSpec(str(p), str(p), ints(p), p.get() != 0, IndexDef.Kind.values()[p.get()], p.get() != 0);
    }

    private static byte[] bytes(ByteBuffer p) {
        int n = p.getInt();
        if (n < 0 || n > p.remaining()) throw new IllegalArgumentException("bad length " + n);
        byte[] b = new byte[n];
        p.get(b);
        return b;
    }

    /** A string: u32 length (-1 for null) and UTF-8 bytes. */
    private static String str(ByteBuffer p) {
        int n = p.getInt();
        if (n == -1) return null;
        if (n < 0 || n > p.remaining()) throw new IllegalArgumentException("bad length " + n);
        byte[] b = new byte[n];
        p.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private static int[] ints(ByteBuffer p) {
        int n = p.getInt();
        if (n < 0 || n > p.remaining() / 4) throw new IllegalArgumentException("bad count " + n);
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = p.getInt();
        return a;
    }

    /** Little-endian payload builder (not synchronised, unlike ByteArrayOutputStream). */
    private static final class Out {
        private byte[] buf;
        private int len;

        Out(int size) { buf = new byte[Math.max(size, 16)]; }

        private void ensure(int n) { if (len + n > buf.length) buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, len + n)); }

        Out u8(int v) { ensure(1); buf[len++] = (byte) v; return this; }

        Out u32(int v) { ensure(4); LE_INT.set(buf, len, v); len += 4; return this; }

        Out u64(long v) { ensure(8); LE_LONG.set(buf, len, v); len += 8; return this; }

        Out bytes(byte[] b) {
            u32(b.length);
            ensure(b.length);
            System.arraycopy(b, 0, buf, len, b.length);
            len += b.length;
            return this;
        }

        Out str(String s) {
            if (s == null) return u32(-1);
            return bytes(s.getBytes(StandardCharsets.UTF_8));
        }

        Out ints(int[] a) {
            u32(a.length);
            for (int v : a) u32(v);
            return this;
        }

        byte[] toArray() { return java.util.Arrays.copyOf(buf, len); }
    }
}
