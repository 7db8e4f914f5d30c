package io.hourglass.engine.sql;

import io.hourglass.engine.catalog.Catalog;
import io.hourglass.engine.catalog.Sequence;
import io.hourglass.engine.catalog.User;
import io.hourglass.engine.txn.SnapshotSlot;
import io.hourglass.engine.txn.Transaction;
import io.hourglass.engine.txn.TransactionManager;

import java.util.Map;

/**
 * A session as a view's owner sees it while the view's query is planned: names resolve in the
 * owner's schema and privileges are the owner's (a view reads its tables with its owner's
 * rights, as Oracle's). {@code depth}: how many views deep the planning is. Everything else is
 * the session's own.
 */
record AsUser(Session session, User user, int depth) implements Session {
    /** How many views deep {@code s} plans (0: not in a view). */
    static int depthOf(Session s) { return s instanceof AsUser a ? a.depth : 0; }

    @Override public Catalog catalog() { return session.catalog(); }

    @Override public TransactionManager transactions() { return session.transactions(); }

    @Override public Transaction transaction() { return session.transaction(); }

    @Override public SnapshotSlot snapshotSlot() { return session.snapshotSlot(); }

    @Override public long statementDeadline() { return session.statementDeadline(); }

    @Override public long queryTimeoutMillis() { return session.queryTimeoutMillis(); }

    @Override public String cancelled() { return session.cancelled(); }

    @Override public void commitWork() { session.commitWork(); }

    @Override public void rollbackWork() { session.rollbackWork(); }

    @Override public Map<Sequence, Long> sequenceValues() { return session.sequenceValues(); }

    @Override public StatementResult callProcedure(String name, Object[] args) { return session.callProcedure(name, args); }

    @Override public io.hourglass.engine.catalog.Table temporaryInstance(io.hourglass.engine.catalog.Table definition) {
        return session.temporaryInstance(definition);
    }
}
