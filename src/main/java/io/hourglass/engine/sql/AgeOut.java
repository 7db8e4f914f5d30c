package io.hourglass.engine.sql;

import io.hourglass.engine.ErrorCode;

import java.util.function.LongPredicate;

/**
 * LRU aging's delete, for the aging agent: a DELETE statement of one table (its WHERE says which
 * rows a DELETE may take: the agent's keeps a parent row that a child references without CASCADE)
 * run over rows the agent chose by their last use, each deleted only if still unused once locked.
 * Locked rows are passed over, never waited for. The rows go as those of any DELETE: logged,
 * checkpointed, archived, their ON DELETE CASCADE and SET NULL children changed with them. On a
 * cache writer's connection the delete stays local, as UNLOAD's does.
 */
public final class AgeOut {
    private AgeOut() {}

    /**
     * Runs {@code deleteSql} (a DELETE of one table, without parameters) over rows {@code ids}
     * only, in the session's transaction, with statement-level atomicity; returns the rows deleted.
     */
    public static long run(Session s, String deleteSql, long[] ids, LongPredicate unused) {
        Parser.Parsed p = Parser.parse(deleteSql);
        if (!(Executor.resolveTarget(p.stmt(), s) instanceof Ast.Delete del) || p.paramCount() != 0) {
            throw ErrorCode.INTERNAL.error("LRU aging runs a DELETE without parameters, not " + deleteSql);
        }
        return Executor.ageOut(s, del, ids, unused);
    }
}
