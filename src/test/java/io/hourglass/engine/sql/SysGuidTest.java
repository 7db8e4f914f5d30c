package io.hourglass.engine.sql;

import io.hourglass.engine.store.Bytes;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SYS_GUID's identifiers: RFC 9562's version 7 layout, unique, and ordered by the time made. */
class SysGuidTest {
    @Test
    void aGuidIsTheTimeThenRandomBitsInVersion7sLayout() {
        long before = System.currentTimeMillis();
        byte[] g = Expr.Call.guid().data();
        long after = System.currentTimeMillis();
        assertEquals(16, g.length);
        long ms = ByteBuffer.wrap(g).getLong() >>> 16;
        assertTrue(ms >= before && ms <= after, ms + " not in " + before + ".." + after);
        assertEquals(0x70, g[6] & 0xf0, "version 7");
        assertEquals(0x80, g[8] & 0xc0, "RFC 9562's variant");
    }

    @Test
    void guidsAreDistinctAndLaterOnesSortAfter() throws InterruptedException {
        Set<Bytes> seen = new HashSet<>();
        for (int i = 0; i < 100_000; i++) assertTrue(seen.add(Expr.Call.guid()), "a repeat after " + i);
        Bytes earlier = Expr.Call.guid();
        Thread.sleep(3);
        Bytes later = Expr.Call.guid();
        assertTrue(earlier.compareTo(later) < 0, "a GUID made later sorts after one made 3 ms before");
    }
}
