package io.hourglass.engine.store;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The collector takes a stale entry out only if no version of its row carries the key; a
 * writer moving the row back to that key meanwhile installs its version, then inserts the
 * entry, finding it still there. The question and the removal must be one step against that
 * insert, or the row's entry is gone under the key it now has: found by RandomTransfersTest,
 * where an index scan missed a row (a SUM through the index short of an account).
 */
class IndexRemovalTest {
    static List<Supplier<Index>> indexes() { return List.of(RangeIndex::new, HashIndex::new); }

    @ParameterizedTest
    @MethodSource("indexes")
    void anInsertOfTheEntryARemovalIsDecidingOnWaitsForIt(Supplier<Index> kind) throws Exception {
        Index ix = kind.get();
        Key key = new Key(new Object[] {7L});
        ix.insert(key, 42);
        ix.insert(new Key(new Object[] {8L}), 43);
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try {
            List<Future<?>> insert = new ArrayList<>();
            boolean[] insertedMeanwhile = {false};
            ix.removeUnless(key, 42, () -> {
                // the answer is "not carried" (the writer's version came after the chain was read);
                // the writer inserts its entry now
                insert.add(writer.submit(() -> ix.insert(key, 42)));
                try {
                    insert.getFirst().get(300, TimeUnit.MILLISECONDS);
                    insertedMeanwhile[0] = true;
                } catch (TimeoutException waits) {
                    // as it should: the key is being decided on
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
                return false;
            });
            insert.getFirst().get(10, TimeUnit.SECONDS);
            assertTrue(!insertedMeanwhile[0], "the insert went through while the removal was deciding");
            List<Long> found = new ArrayList<>();
            ix.lookup(key, found::add);
            assertEquals(List.of(42L), found, "the writer's entry survives the removal");
            // and a removal the row does not stop takes the entry out; one it stops leaves it
            ix.removeUnless(key, 42, () -> true);
            found.clear();
            ix.lookup(key, found::add);
            assertEquals(List.of(42L), found);
            ix.removeUnless(key, 42, () -> false);
            found.clear();
            ix.lookup(key, found::add);
            assertEquals(List.of(), found);
            found.clear();
            ix.lookup(new Key(new Object[] {8L}), found::add);
            assertEquals(List.of(43L), found, "another key's entry untouched");
        } finally {
            writer.shutdownNow();
        }
    }
}
