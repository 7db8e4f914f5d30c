package io.hourglass.engine.sql;

import io.hourglass.engine.catalog.Catalog;
import io.hourglass.engine.catalog.User;
import io.hourglass.engine.txn.SnapshotSlot;
import io.hourglass.engine.txn.Transaction;
import io.hourglass.engine.txn.TransactionManager;

/** What the executor needs from the connection that runs a statement. */
public interface Session {
    Catalog catalog();

    TransactionManager transactions();

    User user();

    /** The current transaction, begun if none is active. */
    Transaction transaction();

    SnapshotSlot snapshotSlot();

    /** COMMIT statement and the implicit commit around DDL. */
    void commitWork();

    /** ROLLBACK statement, and the rollback of a deadlock victim. */
    void rollbackWork();

    /** Runs a built-in procedure (CALL name(args)). */
    StatementResult callProcedure(String name, Object[] args);
}
