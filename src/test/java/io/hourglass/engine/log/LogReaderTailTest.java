package io.hourglass.engine.log;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The clean-end check: what follows a log's last record is zeros, or the tail is torn (TT0744). */
class LogReaderTailTest {
    @Test
    void anyNonZeroByteInTheRangeIsSeenAndNothingOutsideItCounts() {
        int size = 3 * 64 * 1024 + 17; // spans several comparison blocks and a partial one
        byte[] d = new byte[size + 10];
        assertTrue(LogReader.allZero(d, 5, size));
        assertTrue(LogReader.allZero(d, size, size));
        for (int at : new int[] {5, 6, 64 * 1024 - 1, 64 * 1024, 64 * 1024 + 5, 2 * 64 * 1024, size - 1}) {
            d[at] = (byte) 0x80;
            assertFalse(LogReader.allZero(d, 5, size), "a non-zero byte at " + at);
            d[at] = 0;
        }
        d[4] = 1;
        d[size] = 1;
        assertTrue(LogReader.allZero(d, 5, size), "bytes before and after the range are not its business");
    }
}
