package io.hourglass.cache;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * TimesTen's cacheCleanUp for a PostgreSQL backend: finds the objects Hourglass cache groups made
 * there (docs/FORMAT.md, "Objects in the cache backend") and removes those of a database that is
 * gone, which DROP CACHE GROUP never ran for. The objects are found by their names, whatever
 * their schema, and tied to a group by the id in the name; the change log's or bookmark's
 * comment says which group of which database made them. An object left without its table (a
 * trigger whose change log was dropped by hand) still shows, under its id, with no owner known.
 */
public final class CacheCleanup {
    private static final Pattern NAME = Pattern.compile("hourglass_(cl|bm|cf|ct|cx)_([0-9a-f]{1,16})(?:_[0-9]+)?"); // (_n: a child table's, n-th in its group)
    private static final Pattern OWNER = Pattern.compile("of cache group (\\S+) of database ([^\\s:]+)");

    private CacheCleanup() {}

    /** One backend object: what it is, where, and for a trigger the table it is on. */
    public record BackendObject(String kind, String schema, String name, String onTable) {
        /** As DROP names it. */
        String describe() {
            return switch (kind) {
                case "trigger" -> "trigger " + name + " on " + onTable;
                case "function" -> "function " + schema + "." + name + "()";
                default -> "table " + schema + "." + name;
            };
        }
    }

    /**
     * What one cache group left: its id, the group and database its comment names (null when no
     * table with a comment is left), how many change-log entries wait (null without a change log)
     * and when an ASYNCHRONOUS WRITETHROUGH bookmark last moved (null without one).
     */
    public record Leftover(String id, String group, String database, List<BackendObject> objects, Long entries,
                           OffsetDateTime bookmarkMoved) {
        public boolean isOf(String dsn) { return database != null && database.equalsIgnoreCase(dsn); }

        /** One line for a person: whose, what waits, then each object. */
        public String describe() {
            StringBuilder b = new StringBuilder("cache group ").append(group == null ? "(unknown)" : group)
                    .append(" of database ").append(database == null ? "(unknown)" : database).append(", id ").append(id);
            if (entries != null) b.append(", ").append(entries).append(" change-log entr").append(entries == 1 ? "y" : "ies");
            if (bookmarkMoved != null) b.append(", bookmark last moved ").append(bookmarkMoved);
            for (BackendObject o : objects) b.append("\n    ").append(o.describe());
            return b.toString();
        }
    }

    /** Every cache group's objects in the backend, by id. */
    public static List<Leftover> find(Connection c) {
        Map<String, List<BackendObject>> byId = new TreeMap<>();
        Map<String, String> comments = new TreeMap<>();
        try (Statement st = c.createStatement()) {
            try (var rs = st.executeQuery("SELECT n.nspname, c.relname, obj_description(c.oid, 'pg_class') FROM pg_class c"
                    + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND c.relname ~ '^hourglass_(cl|bm)_[0-9a-f]+(_[0-9]+)?$'")) {
                while (rs.next()) {
                    String id = add(byId, new BackendObject("table", rs.getString(1), rs.getString(2), null));
                    if (rs.getString(3) != null) comments.put(id, rs.getString(3));
                }
            }
            try (var rs = st.executeQuery("SELECT n.nspname, p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
                    + " WHERE p.proname ~ '^hourglass_cf_[0-9a-f]+(_[0-9]+)?$'")) {
                while (rs.next()) add(byId, new BackendObject("function", rs.getString(1), rs.getString(2), null));
            }
            try (var rs = st.executeQuery("SELECT n.nspname, t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
                    + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE NOT t.tgisinternal AND t.tgname ~ '^hourglass_c[tx]_[0-9a-f]+(_[0-9]+)?$'")) {
                while (rs.next()) {
                    add(byId, new BackendObject("trigger", rs.getString(1), rs.getString(2),
                            PostgresBackend.qualified(rs.getString(1), rs.getString(3))));
                }
            }
            List<Leftover> out = new ArrayList<>();
            for (var e : byId.entrySet()) {
                String comment = comments.get(e.getKey());
                Matcher m = comment == null ? null : OWNER.matcher(comment);
                boolean named = m != null && m.find();
                Long entries = null;
                OffsetDateTime moved = null;
                for (BackendObject o : e.getValue()) {
                    if (o.name().startsWith("hourglass_cl_")) {
                        long n = single(st, "SELECT count(*) FROM " + PostgresBackend.qualified(o.schema(), o.name()));
                        entries = entries == null ? n : entries + n; // (a group of several tables has a change log for each)
                    }
                    if (o.name().startsWith("hourglass_bm_")) {
                        try (var rs = st.executeQuery("SELECT max(updated) FROM " + PostgresBackend.qualified(o.schema(), o.name()))) {
                            rs.next();
                            moved = rs.getObject(1, OffsetDateTime.class);
                        }
                    }
                }
                out.add(new Leftover(e.getKey(), named ? m.group(1) : null, named ? m.group(2) : null, List.copyOf(e.getValue()), entries, moved));
            }
            c.commit();
            return out;
        } catch (SQLException e) {
            throw PostgresBackend.failure(e, "list the cache groups' objects in the backend");
        }
    }

    /**
     * Removes a leftover's objects in one backend transaction: triggers first (each under its
     * table's lock, waited for at most 30 s), then the function and the tables. Objects gone
     * meanwhile are no error.
     */
    public static void drop(Connection c, Leftover l) {
        try (Statement st = c.createStatement()) {
            st.execute("SET LOCAL lock_timeout = '30s'");
            for (String kind : List.of("trigger", "function", "table")) {
                for (BackendObject o : l.objects()) {
                    if (!o.kind().equals(kind)) continue;
                    st.execute(switch (kind) {
                        case "trigger" -> "DROP TRIGGER IF EXISTS " + PostgresBackend.q(o.name()) + " ON " + o.onTable();
                        case "function" -> "DROP FUNCTION IF EXISTS " + PostgresBackend.qualified(o.schema(), o.name()) + "()";
                        default -> "DROP TABLE IF EXISTS " + PostgresBackend.qualified(o.schema(), o.name());
                    });
                }
            }
            c.commit();
        } catch (SQLException e) {
            try {
                c.rollback();
            } catch (SQLException ignored) {
                // the connection is gone; the failure says why
            }
            throw PostgresBackend.failure(e, "remove the objects of cache group id " + l.id());
        }
    }

    /** Opens a connection as the cache agent's, not in autocommit. */
    public static Connection connect(String url, String user, String password) {
        return PostgresBackend.connection(url, user, password, "hourglass cache-cleanup");
    }

    /** Closes {@code c} (null is fine); a connection that fails to close is gone anyway. */
    public static void close(Connection c) {
        if (c == null) return;
        try {
            c.close();
        } catch (SQLException ignored) {
            // nothing of the work depends on it: each removal committed on its own
        }
    }

    private static String add(Map<String, List<BackendObject>> byId, BackendObject o) {
        Matcher m = NAME.matcher(o.name());
        if (!m.matches()) throw new IllegalStateException(o.name());
        byId.computeIfAbsent(m.group(2), k -> new ArrayList<>()).add(o);
        return m.group(2);
    }

    private static long single(Statement st, String sql) throws SQLException {
        try (var rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
