package io.hourglass.engine.log;

import io.hourglass.engine.catalog.CacheGroup;
import io.hourglass.engine.catalog.CatalogChange;
import io.hourglass.engine.catalog.IndexDef;
import io.hourglass.engine.catalog.TypeKind;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Records encoded by LogBatch decode back to what went in, whatever the buffer had to grow to. */
class LogBatchTest {
    private static LogRecord decode(LogBatch b, int i) {
        ByteBuffer p = ByteBuffer.wrap(b.buffer(), b.start(i) + LogFormat.RECORD_HEADER, b.length(i) - LogFormat.RECORD_HEADER)
                .slice().order(ByteOrder.LITTLE_ENDIAN);
        long txn = ByteBuffer.wrap(b.buffer()).order(ByteOrder.LITTLE_ENDIAN).getLong(b.start(i) + 20);
        return LogCodec.decode(0, b.buffer()[b.start(i) + 16], txn, p);
    }

    @Test
    void everyRecordKindRoundTripsAcrossBufferGrowth() {
        LogBatch b = new LogBatch();
        byte[] big = new byte[5000];
        big[4999] = 7;
        CatalogChange.CreateTable ct = new CatalogChange.CreateTable(9, "ADMIN", "T",
                List.of(new CatalogChange.ColumnSpec("ID", TypeKind.INTEGER, 0, 0, 0, true, null),
                        new CatalogChange.ColumnSpec("V", TypeKind.VARCHAR, 10, 0, 0, false, "'x'")),
                new int[] {0}, List.of(new CatalogChange.IndexSpec("ADMIN", "T", new int[] {0}, true, IndexDef.Kind.HASH, true)));
        b.rowImage(1, true, 9, 3, new byte[] {1, 2, 3}).rowImage(1, false, 9, 4, big).rowDelete(1, 9, 5)
                .ddl(2, ct).commit(1, 12345L).shutdown();
        assertEquals(6, b.records());
        LogRecord.RowImage ins = (LogRecord.RowImage) decode(b, 0);
        assertEquals(3, ins.rowId());
        assertArrayEquals(new byte[] {1, 2, 3}, ins.image());
        assertArrayEquals(big, ((LogRecord.RowImage) decode(b, 1)).image());
        assertEquals(5, ((LogRecord.RowDelete) decode(b, 2)).rowId());
        CatalogChange.CreateTable back = (CatalogChange.CreateTable) ((LogRecord.Ddl) decode(b, 3)).change();
        assertEquals(ct.columns(), back.columns());
        assertEquals("'x'", back.columns().get(1).defaultSql());
        assertEquals(12345L, ((LogRecord.Commit) decode(b, 4)).commitMillis());
        assertEquals(LogRecord.Shutdown.class, decode(b, 5).getClass());
        // BEFORE records (ASYNCHRONOUS WRITETHROUGH): with the old image, and without (a new row).
        b.clear().rowBefore(3, 9, 4, big).rowBefore(3, 9, 6, null);
        LogRecord.RowBefore was = (LogRecord.RowBefore) decode(b, 0);
        assertEquals(List.of(9L, 4L), List.of(was.tableId(), was.rowId()));
        assertArrayEquals(big, was.image());
        assertEquals(null, ((LogRecord.RowBefore) decode(b, 1)).image());
        assertEquals(LogBatch.beforeRecordBytes(big.length) + LogBatch.beforeRecordBytes(-1), b.bytes());
        // Reuse after clear, growing again from a small start.
        b.clear().commit(7, 1L);
        assertEquals(1, b.records());
        assertEquals(1L, ((LogRecord.Commit) decode(b, 0)).commitMillis());
    }

    @Test
    void cacheGroupAndModifyColumnsChangesRoundTrip() {
        CacheGroup g = new CacheGroup("CACHEADM", "READCACHE", 0x9f3a_0000_0000_0001L, "SALES", "READTAB",
                CacheGroup.Mode.FULL, 300_000, CacheGroup.State.PAUSED, false, false, false, false, false, false);
        CacheGroup swt = new CacheGroup("CACHEADM", "SWCACHE", 7L, "SALES", "ORDERS", CacheGroup.Mode.FULL, 300_000, CacheGroup.State.OFF,
                false, true, false, true, false, false);
        CacheGroup um = new CacheGroup("CACHEADM", "UMCACHE", 9L, "SALES", "CARTS", CacheGroup.Mode.FULL, 300_000, CacheGroup.State.OFF,
                false, true, false, false, true, false);
        CacheGroup ump = new CacheGroup("CACHEADM", "UMPROP", 10L, "SALES", "CARTS", CacheGroup.Mode.FULL, 300_000, CacheGroup.State.OFF,
                false, true, false, false, true, true);
        CacheGroup awt = new CacheGroup("CACHEADM", "AWCACHE", 8L, "SALES", "LINES", CacheGroup.Mode.FULL, 300_000, CacheGroup.State.OFF,
                false, true, true, false, false, false);
        CacheGroup where = g.withConditions(List.of("keyval % 2 = 1 AND str <> 'x'"));
        CacheGroup several = new CacheGroup("CACHEADM", "CO", 11L, "SALES", "CUSTOMER", CacheGroup.Mode.INCREMENTAL, 300_000, CacheGroup.State.ON,
                false, false, false, false, false, false, List.of(new CacheGroup.Member("SALES", "ORDERS")));
        for (CatalogChange c : List.of(new CatalogChange.CreateCacheGroup(g), new CatalogChange.CreateCacheGroup(g.asRestored()),
                new CatalogChange.CreateCacheGroup(where), new CatalogChange.CreateCacheGroup(several),
                new CatalogChange.CreateCacheGroup(several.withConditions(List.of("", "amount > 0"))),
                new CatalogChange.CreateCacheGroup(um), new CatalogChange.CreateCacheGroup(um.asRestored()), new CatalogChange.CreateCacheGroup(ump),
                new CatalogChange.CreateCacheGroup(swt), new CatalogChange.CreateCacheGroup(swt.asRestored()),
                new CatalogChange.CreateCacheGroup(awt), new CatalogChange.CreateCacheGroup(awt.asRestored()),
                new CatalogChange.RestoredCacheGroups(),
                new CatalogChange.AlterCacheGroup("CACHEADM", "READCACHE", CacheGroup.Mode.INCREMENTAL, 5_000, CacheGroup.State.ON),
                new CatalogChange.DropCacheGroup("CACHEADM", "READCACHE"), new CatalogChange.CacheAgent(true),
                new CatalogChange.CacheAgent(false), new CatalogChange.AwtThreshold(12), new CatalogChange.AwtThreshold(0),
                new CatalogChange.RenameTable("SALES", "ORDERS", "PURCHASES"), new CatalogChange.RenameColumn("SALES", "ORDERS", "QTY", "AMOUNT"),
                new CatalogChange.SetAging("SALES", "ORDERS", new io.hourglass.engine.catalog.Aging("PLACED", 36,
                        io.hourglass.engine.catalog.Aging.Unit.HOUR, 90, io.hourglass.engine.catalog.Aging.Unit.SECOND, false)),
                new CatalogChange.SetAging("SALES", "ORDERS", new io.hourglass.engine.catalog.Aging("PLACED", 2_147_483_647L,
                        io.hourglass.engine.catalog.Aging.Unit.DAY, 1, io.hourglass.engine.catalog.Aging.Unit.MINUTE, true)),
                new CatalogChange.SetAging("SALES", "ORDERS", null),
                new CatalogChange.Comment("SALES", "ORDERS", null, "Orders, one row each; été \u20ac"),
                new CatalogChange.Comment("SALES", "ORDERS", "QTY", null),
                new CatalogChange.CreateSynonym("SALES", "O", "SALES", "ORDERS"), new CatalogChange.CreateSynonym(null, "ORDERS", "SALES", "O"),
                new CatalogChange.DropSynonym("SALES", "O"), new CatalogChange.DropSynonym(null, "ORDERS"),
                new CatalogChange.SetProfile("STRICT", java.util.Map.of("FAILED_LOGIN_ATTEMPTS", "3", "PASSWORD_LIFE_TIME", ".5")),
                new CatalogChange.SetProfile("EMPTY", java.util.Map.of()), new CatalogChange.DropProfile("STRICT"),
                new CatalogChange.UserAccount("APP", "STRICT", 1_764_000_000_000L), new CatalogChange.UserAccount("APP", null, null),
                new CatalogChange.LruAgingSettings(.5, .75, 3),
                new CatalogChange.PasswordState("APP", 1_764_000_000_000L, 0, List.of()),
                new CatalogChange.PasswordState("APP", 1_764_000_000_000L, 1_764_000_500_000L, List.of(
                        new io.hourglass.engine.catalog.User.OldPassword("pbkdf2-sha256$210000$c2FsdA==$aGFzaA==", 1_700_000_000_000L, 1_764_000_000_000L),
                        new io.hourglass.engine.catalog.User.OldPassword("pbkdf2-sha256$210000$b2xk$b2xk", 1_600_000_000_000L, 1_700_000_000_000L))),
                new CatalogChange.ModifyColumnsInPlace("SALES", "READTAB", List.of(CatalogChange.ColumnSpec.of("STR",
                        io.hourglass.engine.catalog.SqlType.varchar(80), true, null))),
                new CatalogChange.ModifyColumns("SALES", "READTAB", 42, List.of(
                        CatalogChange.ColumnSpec.of("STR", new io.hourglass.engine.catalog.SqlType(io.hourglass.engine.catalog.TypeKind.VARCHAR, 40, 0, 0),
                                true, "'none'"),
                        CatalogChange.ColumnSpec.of("N", new io.hourglass.engine.catalog.SqlType(io.hourglass.engine.catalog.TypeKind.NUMBER, 0, 8, 2),
                                false, null))))) {
            byte[] bytes = LogCodec.ddlPayload(c);
            assertEquals(c, LogCodec.decodeChange(ByteBuffer.wrap(bytes)));
            // Cut short anywhere, it is refused rather than read as something else.
            for (int n = 1; n < bytes.length; n++) {
                byte[] cut = java.util.Arrays.copyOf(bytes, n);
                assertThrows(IllegalArgumentException.class, () -> LogCodec.decodeChange(ByteBuffer.wrap(cut)), c + " cut at " + n);
            }
        }
    }
}
