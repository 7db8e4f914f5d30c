package io.hourglass.cache;

import io.hourglass.engine.HourglassException;

import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

/** What the cache group tests share: waiting for the cache agent, and numbered errors. */
final class CacheTests {
    private CacheTests() {}

    /** Waits until {@code done} (looking every 20 ms), or fails after 30 s saying {@code what}. */
    static void await(Supplier<Boolean> done, Supplier<String> what) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!done.get()) {
            if (System.nanoTime() > deadline) fail("not reached in 30 s: " + what.get());
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    /** {@code r} fails with TT{@code number}. */
    static void assertError(int number, Runnable r) {
        HourglassException e = assertThrows(HourglassException.class, r::run);
        assertEquals(number, e.code().number(), e.getMessage());
    }
}
