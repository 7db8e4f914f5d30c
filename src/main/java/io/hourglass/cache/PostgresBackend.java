package io.hourglass.cache;

import io.hourglass.engine.spi.CacheBackend;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;

/**
 * Cache groups' backend on PostgreSQL, through its JDBC driver. Incremental autorefresh uses a
 * change log per cache group, in the cached table's schema: {@code hourglass_cl_<id>} (a
 * sequence number and the key columns), filled by the row trigger {@code hourglass_ct_<id>}
 * (the key of each row inserted, updated or deleted; both keys when an update changes it) and
 * the statement trigger {@code hourglass_cx_<id>} (a row of NULL keys when the table is
 * truncated, which asks for a full refresh), both calling {@code hourglass_cf_<id>()}. The
 * refresh takes entries with DELETE ... RETURNING in a transaction it commits only after the
 * cache's own commit is durable, so a failure anywhere leaves them to be taken again.
 */
public final class PostgresBackend implements CacheBackend {
    /** Keys per fetch statement. */
    static final int FETCH_CHUNK = 500;
    private static final String SEQ = "hourglass_seq";
    /**
     * Triggers are made and dropped under the cached table's exclusive lock: wait for it at most
     * this long (a long backend transaction on the table makes CREATE or DROP CACHE GROUP fail
     * instead of hanging).
     */
    private static final String LOCK_TIMEOUT = "SET LOCAL lock_timeout = '30s'";

    @Override
    public Session open(String url, String user, String password) {
        return new PgSession(connection(url, user, password, "hourglass cache agent"));
    }

    /** A connection to the backend, not in autocommit, with the timeouts below. */
    static Connection connection(String url, String user, String password, String application) {
        if (url == null || !url.startsWith("jdbc:postgresql:")) {
            throw new Failure(true, "the backend URL must be jdbc:postgresql://host:port/database, got " + url, null);
        }
        Properties p = new Properties();
        if (user != null) p.setProperty("user", user);
        if (password != null) p.setProperty("password", password);
        // A backend that stops answering fails the call (and the refresh is tried again later)
        // instead of hanging the agent or a LOAD for good. Parameters in the URL win over these.
        p.setProperty("connectTimeout", "10");
        p.setProperty("loginTimeout", "10");
        p.setProperty("socketTimeout", "300");
        p.setProperty("tcpKeepAlive", "true");
        p.setProperty("ApplicationName", application);
        try {
            Connection c = DriverManager.getConnection(url, p);
            c.setAutoCommit(false);
            return c;
        } catch (SQLException e) {
            throw failure(e, "connect to " + url + " as " + user);
        }
    }

    static Failure failure(SQLException e, String what) {
        String state = e.getSQLState();
        // Class 08 (connection exception), 28 (authorization), 57P (shutdown, cannot connect now), 53 (resources).
        boolean connection = state == null || state.startsWith("08") || state.startsWith("28") || state.startsWith("57P")
                || state.startsWith("53");
        // Class 22 (data exception), 23 (integrity constraint violation), P0001 (a trigger's RAISE EXCEPTION).
        boolean data = state != null && (state.startsWith("22") || state.startsWith("23") || state.equals("P0001"));
        return new Failure(connection, data, what + ": " + e.getMessage() + (state == null ? "" : " (SQLSTATE " + state + ")"), e);
    }

    static String q(String identifier) { return '"' + identifier.replace("\"", "\"\"") + '"'; }

    static String qualified(String schema, String name) { return q(schema) + "." + q(name); }

    static String list(List<String> columns, String prefix) {
        StringBuilder b = new StringBuilder();
        for (String c : columns) {
            if (!b.isEmpty()) b.append(", ");
            b.append(prefix).append(q(c));
        }
        return b.toString();
    }

    /** Changes written through per JDBC batch. */
    static final int BATCH = 1000;

    private static final class PgSession implements Session {
        private final Connection c;
        /**
         * The INSERT, UPDATE and DELETE of each table written through, kept for the session's
         * later commits: reused, the driver prepares them on the server (after its
         * prepareThreshold uses) and the backend stops parsing and planning them each time.
         */
        private final Map<String, Writer> writers = new HashMap<>();

        PgSession(Connection c) { this.c = c; }

        @Override
        public TableInfo describe(String schema, String table) {
            try {
                List<String> cols = new ArrayList<>();
                try (ResultSet rs = c.getMetaData().getColumns(null, schema, table, null)) {
                    while (rs.next()) cols.add(rs.getString("COLUMN_NAME"));
                }
                if (cols.isEmpty()) throw new Failure(false, "table " + schema + "." + table + " does not exist in the backend"
                        + " (or the cache administration user cannot see it)", null);
                String[] pk = new String[cols.size()];
                int n = 0;
                try (ResultSet rs = c.getMetaData().getPrimaryKeys(null, schema, table)) {
                    while (rs.next()) {
                        pk[rs.getInt("KEY_SEQ") - 1] = rs.getString("COLUMN_NAME");
                        n++;
                    }
                }
                c.commit();
                return new TableInfo(List.copyOf(cols), List.of(java.util.Arrays.copyOf(pk, n)));
            } catch (SQLException e) {
                throw failure(e, "describe " + schema + "." + table);
            }
        }

        @Override
        public void scan(String schema, String table, List<String> columns, String where, Consumer<Object[]> sink) {
            String sql = "SELECT " + list(columns, "") + " FROM " + qualified(schema, table) + (where == null ? "" : " WHERE (" + where + ")");
            // Prepared: the extended protocol takes one command, so a condition cannot add another.
            try (PreparedStatement st = c.prepareStatement(sql)) {
                st.setFetchSize(2000); // streams (the connection is not in autocommit)
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) sink.accept(row(rs, columns.size()));
                }
            } catch (SQLException e) {
                throw failure(e, "read " + schema + "." + table);
            }
        }

        @Override
        public List<Object[]> fetch(String schema, String table, List<String> columns, List<String> keyColumns, List<Object[]> keys, String where) {
            List<Object[]> out = new ArrayList<>();
            String head = "SELECT " + list(columns, "") + " FROM " + qualified(schema, table) + " WHERE (" + list(keyColumns, "") + ") IN (";
            String tuple = "(" + "?, ".repeat(keyColumns.size() - 1) + "?)";
            try {
                for (int from = 0; from < keys.size(); from += FETCH_CHUNK) {
                    List<Object[]> chunk = keys.subList(from, Math.min(keys.size(), from + FETCH_CHUNK));
                    StringBuilder sql = new StringBuilder(head);
                    for (int i = 0; i < chunk.size(); i++) sql.append(i == 0 ? "" : ", ").append(tuple);
                    sql.append(')');
                    if (where != null) sql.append(" AND (").append(where).append(')');
                    try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                        int p = 1;
                        for (Object[] k : chunk) for (Object v : k) ps.setObject(p++, v);
                        try (ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) out.add(row(rs, columns.size()));
                        }
                    }
                }
                return out;
            } catch (SQLException e) {
                throw failure(e, "read changed rows of " + schema + "." + table);
            }
        }

        /**
         * One statement in autocommit when no transaction is open and the keys fit one chunk: the
         * SELECT is its own transaction, and the {@link #commit} after it sends nothing (the JDBC
         * driver commits only an open transaction). More keys take several statements, which one
         * transaction keeps to one snapshot.
         */
        @Override
        public List<Object[]> fetchAlone(String schema, String table, List<String> columns, List<String> keyColumns, List<Object[]> keys,
                                         String where) {
            try {
                if (keys.size() > FETCH_CHUNK
                        || c.unwrap(org.postgresql.core.BaseConnection.class).getTransactionState() != org.postgresql.core.TransactionState.IDLE) {
                    return fetch(schema, table, columns, keyColumns, keys, where);
                }
                c.setAutoCommit(true); // (idle: nothing to commit, nothing sent)
                try {
                    return fetch(schema, table, columns, keyColumns, keys, where);
                } finally {
                    c.setAutoCommit(false); // (nothing sent either: the next statement begins a transaction)
                }
            } catch (SQLException e) {
                throw failure(e, "read " + schema + "." + table);
            }
        }

        /**
         * Every level's SELECT in one prepared command of several statements, sent and answered
         * in one round trip (one result set each, in order). Below the root, a level's
         * condition names its parent level's rows by the same condition, nested up to the root's
         * keys, so no statement waits for another's rows. In autocommit when no transaction is
         * open, as {@link #fetchAlone}. More root keys than a chunk take a round trip per chunk.
         */
        @Override
        public List<List<Object[]>> fetchInstances(List<CacheBackend.Level> levels, List<Object[]> rootKeys) {
            List<List<Object[]>> out = new ArrayList<>();
            for (int i = 0; i < levels.size(); i++) out.add(new ArrayList<>());
            try {
                boolean idle = c.unwrap(org.postgresql.core.BaseConnection.class).getTransactionState() == org.postgresql.core.TransactionState.IDLE;
                if (idle) c.setAutoCommit(true);
                try {
                    for (int from = 0; from < rootKeys.size(); from += FETCH_CHUNK) {
                        List<Object[]> chunk = rootKeys.subList(from, Math.min(rootKeys.size(), from + FETCH_CHUNK));
                        StringBuilder sql = new StringBuilder();
                        for (int i = 0; i < levels.size(); i++) {
                            CacheBackend.Level l = levels.get(i);
                            sql.append(i == 0 ? "" : ";\n").append("SELECT ").append(list(l.columns(), "")).append(" FROM ")
                                    .append(qualified(l.schema(), l.table())).append(" WHERE ").append(instanceCondition(levels, i, chunk.size()));
                        }
                        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                            int p = 1;
                            for (int i = 0; i < levels.size(); i++) for (Object[] k : chunk) for (Object v : k) ps.setObject(p++, v);
                            boolean results = ps.execute();
                            for (int i = 0; i < levels.size(); i++) {
                                if (!results) throw new SQLException("expected " + levels.size() + " result sets, got " + i);
                                int width = levels.get(i).columns().size();
                                try (ResultSet rs = ps.getResultSet()) {
                                    while (rs.next()) out.get(i).add(row(rs, width));
                                }
                                results = ps.getMoreResults();
                            }
                        }
                    }
                } finally {
                    if (idle) c.setAutoCommit(false); // (nothing sent: the next statement begins a transaction)
                }
                return out;
            } catch (SQLException e) {
                throw failure(e, "read cache instances of " + levels.getFirst().schema() + "." + levels.getFirst().table());
            }
        }

        /** Level {@code i}'s condition: the root's keys among {@code keys} tuples; below it, a reference to its parent level's rows. */
        private static String instanceCondition(List<CacheBackend.Level> levels, int i, int keys) {
            CacheBackend.Level l = levels.get(i);
            String own = l.where() == null ? "" : " AND (" + l.where() + ")";
            if (l.parent() < 0) {
                String tuple = "(" + "?, ".repeat(l.keyColumns().size() - 1) + "?)";
                return "(" + list(l.keyColumns(), "") + ") IN (" + String.join(", ", java.util.Collections.nCopies(keys, tuple)) + ")" + own;
            }
            CacheBackend.Level p = levels.get(l.parent());
            return "(" + list(l.upColumns(), "") + ") IN (SELECT " + list(p.keyColumns(), "") + " FROM " + qualified(p.schema(), p.table())
                    + " WHERE " + instanceCondition(levels, l.parent(), keys) + ")" + own;
        }

        @Override
        public void installChangeLog(String id, String schema, String table, List<String> keyColumns, String description) {
            String log = qualified(schema, "hourglass_cl_" + id), fn = qualified(schema, "hourglass_cf_" + id);
            String src = qualified(schema, table), keys = list(keyColumns, "");
            String nulls = String.join(", ", java.util.Collections.nCopies(keyColumns.size(), "NULL"));
            try (Statement st = c.createStatement()) {
                st.execute(LOCK_TIMEOUT);
                boolean exists;
                try (ResultSet rs = st.executeQuery("SELECT to_regclass('" + log.replace("'", "''") + "') IS NOT NULL")) {
                    rs.next();
                    exists = rs.getBoolean(1);
                }
                if (!exists) {
                    st.execute("CREATE TABLE " + log + " AS SELECT " + keys + " FROM " + src + " WITH NO DATA");
                    st.execute("ALTER TABLE " + log + " ADD COLUMN " + SEQ + " bigserial PRIMARY KEY");
                    st.execute("COMMENT ON TABLE " + log + " IS '" + description.replace("'", "''") + "'");
                }
                st.execute("CREATE OR REPLACE FUNCTION " + fn + "() RETURNS trigger LANGUAGE plpgsql AS $hg$\n"
                        + "BEGIN\n"
                        + "  IF TG_OP = 'TRUNCATE' THEN\n"
                        + "    INSERT INTO " + log + " (" + keys + ") VALUES (" + nulls + ");\n"
                        + "    RETURN NULL;\n"
                        + "  END IF;\n"
                        + "  IF TG_OP <> 'INSERT' THEN\n"
                        + "    INSERT INTO " + log + " (" + keys + ") VALUES (" + list(keyColumns, "OLD.") + ");\n"
                        + "  END IF;\n"
                        + "  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND (" + list(keyColumns, "OLD.") + ") IS DISTINCT FROM ("
                        + list(keyColumns, "NEW.") + ")) THEN\n"
                        + "    INSERT INTO " + log + " (" + keys + ") VALUES (" + list(keyColumns, "NEW.") + ");\n"
                        + "  END IF;\n"
                        + "  RETURN NULL;\n"
                        + "END\n$hg$");
                st.execute("DROP TRIGGER IF EXISTS " + q("hourglass_ct_" + id) + " ON " + src);
                st.execute("CREATE TRIGGER " + q("hourglass_ct_" + id) + " AFTER INSERT OR UPDATE OR DELETE ON " + src
                        + " FOR EACH ROW EXECUTE FUNCTION " + fn + "()");
                st.execute("DROP TRIGGER IF EXISTS " + q("hourglass_cx_" + id) + " ON " + src);
                st.execute("CREATE TRIGGER " + q("hourglass_cx_" + id) + " AFTER TRUNCATE ON " + src
                        + " FOR EACH STATEMENT EXECUTE FUNCTION " + fn + "()");
                c.commit();
            } catch (SQLException e) {
                rollbackQuietly();
                throw failure(e, "install the change log of " + schema + "." + table);
            }
        }

        @Override
        public long changeLogBacklog(String id, String schema) {
            String log = qualified(schema, "hourglass_cl_" + id);
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT coalesce(max(" + SEQ + ") - min(" + SEQ + ") + 1, 0) FROM " + log)) {
                rs.next();
                return rs.getLong(1);
            } catch (SQLException e) {
                throw failure(e, "measure the change log of cache group " + id);
            }
        }

        @Override
        public void discardChanges(String id, String schema) {
            try (Statement st = c.createStatement()) {
                st.executeUpdate("DELETE FROM " + qualified(schema, "hourglass_cl_" + id));
            } catch (SQLException e) {
                throw failure(e, "empty the change log of cache group " + id);
            }
        }

        @Override
        public boolean changeLogIntact(String id, String schema, String table) {
            String sql = "SELECT to_regclass(?) IS NOT NULL AND (SELECT count(*) FROM pg_trigger"
                    + " WHERE tgrelid = to_regclass(?) AND tgname IN (?, ?) AND tgenabled <> 'D') = 2";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, qualified(schema, "hourglass_cl_" + id));
                ps.setString(2, qualified(schema, table));
                ps.setString(3, "hourglass_ct_" + id);
                ps.setString(4, "hourglass_cx_" + id);
                boolean intact;
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    intact = rs.getBoolean(1);
                }
                c.commit();
                return intact;
            } catch (SQLException e) {
                rollbackQuietly();
                throw failure(e, "check the change log of " + schema + "." + table);
            }
        }

        @Override
        public void dropChangeLog(String id, String schema, String table) {
            try (Statement st = c.createStatement()) {
                st.execute(LOCK_TIMEOUT);
                boolean tableThere;
                try (ResultSet rs = st.executeQuery("SELECT to_regclass('" + qualified(schema, table).replace("'", "''") + "') IS NOT NULL")) {
                    rs.next();
                    tableThere = rs.getBoolean(1);
                }
                if (tableThere) {
                    st.execute("DROP TRIGGER IF EXISTS " + q("hourglass_ct_" + id) + " ON " + qualified(schema, table));
                    st.execute("DROP TRIGGER IF EXISTS " + q("hourglass_cx_" + id) + " ON " + qualified(schema, table));
                }
                st.execute("DROP FUNCTION IF EXISTS " + qualified(schema, "hourglass_cf_" + id) + "()");
                st.execute("DROP TABLE IF EXISTS " + qualified(schema, "hourglass_cl_" + id));
                c.commit();
            } catch (SQLException e) {
                rollbackQuietly();
                throw failure(e, "remove the change log of " + schema + "." + table);
            }
        }

        @Override
        public List<Object[]> takeChanges(String id, String schema, List<String> keyColumns, int limit) {
            String log = qualified(schema, "hourglass_cl_" + id);
            String sql = "DELETE FROM " + log + " WHERE " + SEQ + " IN (SELECT " + SEQ + " FROM " + log + " ORDER BY " + SEQ
                    + " LIMIT ?) RETURNING " + list(keyColumns, "");
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setInt(1, limit);
                List<Object[]> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.add(row(rs, keyColumns.size()));
                }
                return out;
            } catch (SQLException e) {
                throw failure(e, "read the change log of cache group " + id);
            }
        }

        /** The statements that write {@code schema.table}, made on first use and kept with the session. */
        private Writer writerOf(String schema, String table, List<String> columns, List<String> keyColumns) throws SQLException {
            String id = schema + "." + table + columns + keyColumns;
            Writer wr = writers.get(id);
            if (wr == null) {
                wr = writer(schema, table, columns, keyColumns);
                writers.put(id, wr);
            }
            return wr;
        }

        /** INSERT ... ON CONFLICT (key) DO UPDATE SET every other column, in JDBC batches. */
        @Override
        public void upsert(String schema, String table, List<String> columns, List<String> keyColumns, List<Object[]> rows) {
            List<String> others = columns.stream().filter(col -> !keyColumns.contains(col)).toList();
            String sql = "INSERT INTO " + qualified(schema, table) + " (" + list(columns, "") + ") VALUES ("
                    + "?, ".repeat(columns.size() - 1) + "?) ON CONFLICT (" + list(keyColumns, "") + ") DO "
                    + (others.isEmpty() ? "NOTHING" : "UPDATE SET " + String.join(", ", others.stream()
                            .map(col -> q(col) + " = EXCLUDED." + q(col)).toList()));
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int[] types = writerOf(schema, table, columns, keyColumns).columnTypes;
                for (int from = 0; from < rows.size(); from += BATCH) {
                    for (Object[] row : rows.subList(from, Math.min(rows.size(), from + BATCH))) {
                        for (int i = 0; i < row.length; i++) bind(ps, i + 1, row[i], types[i]);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
            } catch (SQLException e) {
                throw failure(e, "flush to " + schema + "." + table);
            }
        }

        @Override
        public void write(String schema, String table, List<String> columns, List<String> keyColumns, List<Write> changes) {
            try {
                Writer wr = writerOf(schema, table, columns, keyColumns);
                // Consecutive changes of one kind go as one JDBC batch (one round trip for many
                // rows), in order; every row's count is checked all the same.
                int from = 0;
                while (from < changes.size()) {
                    PreparedStatement ps = statementOf(wr, changes.get(from));
                    int to = from + 1;
                    while (to < changes.size() && to - from < BATCH && statementOf(wr, changes.get(to)) == ps) to++;
                    for (int k = from; k < to; k++) {
                        Write w = changes.get(k);
                        int p = 1;
                        if (w.row() != null) for (int i = 0; i < w.row().length; i++) bind(ps, p++, w.row()[i], wr.columnTypes[i]);
                        if (w.key() != null) for (int i = 0; i < w.key().length; i++) bind(ps, p++, w.key()[i], wr.keyTypes[i]);
                        if (to - from > 1) ps.addBatch();
                    }
                    int[] counts = to - from > 1 ? ps.executeBatch() : new int[] {ps.executeUpdate()};
                    for (int k = 0; k < counts.length; k++) {
                        if (counts[k] != 1) {
                            Write w = changes.get(from + k);
                            throw new Failure(false, true, schema + "." + table + " has " + (counts[k] == 0 ? "no row" : counts[k] + " rows")
                                    + " with key (" + String.join(", ", keyColumns) + ") = " + java.util.Arrays.toString(w.key()) + " to "
                                    + (w.row() == null ? "delete" : "update"), null);
                        }
                    }
                    from = to;
                }
            } catch (SQLException e) {
                throw failure(e, "write to " + schema + "." + table);
            }
        }

        private static PreparedStatement statementOf(Writer wr, Write w) {
            return w.key() == null ? wr.insert : w.row() == null ? wr.delete : wr.update;
        }

        private Writer writer(String schema, String table, List<String> columns, List<String> keyColumns) throws SQLException {
            Map<String, Integer> types = new HashMap<>();
            try (ResultSet rs = c.getMetaData().getColumns(null, schema, table, null)) {
                while (rs.next()) types.put(rs.getString("COLUMN_NAME"), rs.getInt("DATA_TYPE"));
            }
            String t = qualified(schema, table);
            String where = " WHERE " + list(keyColumns, "").replace(", ", " = ? AND ") + " = ?";
            String sets = list(columns, "").replace(", ", " = ?, ") + " = ?";
            return new Writer(c.prepareStatement("INSERT INTO " + t + " (" + list(columns, "") + ") VALUES (" + "?, ".repeat(columns.size() - 1) + "?)"),
                    c.prepareStatement("UPDATE " + t + " SET " + sets + where), c.prepareStatement("DELETE FROM " + t + where),
                    columns.stream().mapToInt(n -> types.getOrDefault(n, Types.OTHER)).toArray(),
                    keyColumns.stream().mapToInt(n -> types.getOrDefault(n, Types.OTHER)).toArray());
        }

        @Override
        public void installBookmark(String id, String schema, long lsn, String description) {
            String bm = qualified(schema, "hourglass_bm_" + id);
            try (Statement st = c.createStatement()) {
                st.execute(LOCK_TIMEOUT);
                st.execute("CREATE TABLE IF NOT EXISTS " + bm + " (one boolean PRIMARY KEY DEFAULT true CHECK (one), lsn bigint NOT NULL,"
                        + " updated timestamptz NOT NULL DEFAULT now())");
                st.execute("COMMENT ON TABLE " + bm + " IS '" + description.replace("'", "''") + "'");
                st.execute("INSERT INTO " + bm + " (lsn) VALUES (" + lsn + ") ON CONFLICT DO NOTHING");
                c.commit();
            } catch (SQLException e) {
                rollbackQuietly();
                throw failure(e, "make the bookmark of cache group " + id);
            }
        }

        @Override
        public long bookmark(String id, String schema) {
            try (Statement st = c.createStatement()) {
                try (ResultSet rs = st.executeQuery("SELECT to_regclass('" + qualified(schema, "hourglass_bm_" + id).replace("'", "''")
                        + "') IS NOT NULL")) {
                    rs.next();
                    if (!rs.getBoolean(1)) return -1;
                }
                try (ResultSet rs = st.executeQuery("SELECT lsn FROM " + qualified(schema, "hourglass_bm_" + id))) {
                    return rs.next() ? rs.getLong(1) : -1;
                }
            } catch (SQLException e) {
                throw failure(e, "read the bookmark of cache group " + id);
            }
        }

        @Override
        public void setBookmark(String id, String schema, long lsn) {
            try (Statement st = c.createStatement()) {
                int n = st.executeUpdate("UPDATE " + qualified(schema, "hourglass_bm_" + id) + " SET lsn = " + lsn + ", updated = now()");
                if (n != 1) throw new Failure(false, "the bookmark of cache group " + id + " in " + schema + " is gone", null);
            } catch (SQLException e) {
                throw failure(e, "move the bookmark of cache group " + id);
            }
        }

        @Override
        public void dropBookmark(String id, String schema) {
            try (Statement st = c.createStatement()) {
                st.execute(LOCK_TIMEOUT);
                st.execute("DROP TABLE IF EXISTS " + qualified(schema, "hourglass_bm_" + id));
                c.commit();
            } catch (SQLException e) {
                rollbackQuietly();
                throw failure(e, "remove the bookmark of cache group " + id);
            }
        }

        @Override
        public void commit() {
            try {
                c.commit();
            } catch (SQLException e) {
                throw failure(e, "commit");
            }
        }

        @Override
        public void rollback() {
            try {
                c.rollback();
            } catch (SQLException e) {
                throw failure(e, "roll back");
            }
        }

        private void rollbackQuietly() {
            try {
                c.rollback();
            } catch (SQLException ignored) {
                // the connection is gone; the failure being reported says why
            }
        }

        @Override
        public void close() {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing a broken connection
            }
        }
    }

    /** A table's write-through statements and its columns' JDBC types, in the statements' order. */
    private record Writer(PreparedStatement insert, PreparedStatement update, PreparedStatement delete, int[] columnTypes, int[] keyTypes) {}

    /**
     * Binds a value as its column's type where the engine's type differs: a NUMBER value
     * (BigDecimal) for an integer column goes as an integer, so that {@code WHERE id = ?} compares
     * integers and uses the key's index (as numeric it would cast the column and scan the table);
     * one with a fraction, or out of a long's range, is refused rather than rounded.
     */
    static void bind(PreparedStatement ps, int p, Object v, int sqlType) throws SQLException {
        boolean integerColumn = sqlType == Types.SMALLINT || sqlType == Types.INTEGER || sqlType == Types.BIGINT;
        if (integerColumn && v instanceof Number n && !(v instanceof Double)) {
            java.math.BigDecimal d = n instanceof java.math.BigDecimal b ? b : java.math.BigDecimal.valueOf(n.longValue());
            try {
                ps.setLong(p, d.longValueExact());
                return;
            } catch (ArithmeticException e) {
                // PostgreSQL would round it into the column without a word
                throw new Failure(false, true, "the backend's integer column cannot hold " + d.toPlainString(), null);
            }
        }
        ps.setObject(p, v);
    }

    /** One row, with the driver's date and time classes turned into java.time. */
    static Object[] row(ResultSet rs, int n) throws SQLException {
        Object[] r = new Object[n];
        for (int i = 0; i < n; i++) {
            Object v = rs.getObject(i + 1);
            r[i] = switch (v) {
                case null -> null;
                case java.sql.Timestamp t -> t.toLocalDateTime();
                case java.sql.Date d -> d.toLocalDate();
                case java.sql.Time t -> t.toString();
                case java.util.UUID u -> u.toString();
                case org.postgresql.util.PGobject o -> o.getValue();
                default -> v;
            };
        }
        return r;
    }
}
