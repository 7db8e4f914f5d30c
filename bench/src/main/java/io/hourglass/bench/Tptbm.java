package io.hourglass.bench;

import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.DatabaseConfig;
import io.hourglass.engine.lifecycle.Instance;
import io.hourglass.engine.sql.PreparedStatement;

import java.util.List;

/**
 * TimesTen's TPTBM schema and load: vpn_users with a composite primary key on a unique hash
 * index, rows keyed (vpn_id, vpn_nb) = (i / 1000, i % 1000).
 */
public final class Tptbm {
    public static final String PASSWORD = "bench-admin-pw";
    public static final String DSN = "TPTBM";

    private Tptbm() {}

    public static Instance open(long permSizeMb) {
        return new Instance(PASSWORD, List.of(DatabaseConfig.temporary(DSN).withPermSize(permSizeMb)));
    }

    public static Connection connect(Instance inst) { return inst.connect(DSN, "admin", PASSWORD); }

    public static void create(Connection c, int rows) {
        c.execute("CREATE TABLE vpn_users (vpn_id TT_INTEGER NOT NULL, vpn_nb TT_INTEGER NOT NULL, "
                + "directory_nb CHAR(10) NOT NULL, last_calling_party CHAR(10) NOT NULL, descr CHAR(100) NOT NULL, "
                + "PRIMARY KEY (vpn_id, vpn_nb)) UNIQUE HASH ON (vpn_id, vpn_nb) PAGES = " + Math.max(1, rows / 256));
        PreparedStatement ins = c.prepare("INSERT INTO vpn_users VALUES (?, ?, ?, ?, ?)");
        String descr = "<place holder for description of VPN %d extension %d>";
        c.setAutocommit(false);
        for (int i = 0; i < rows; i++) {
            int id = i / 1000, nb = i % 1000;
            c.execute(ins, id, nb, String.format("%010d", i), "0000000000", String.format(descr, id, nb));
            if (i % 10_000 == 9_999) c.commit();
        }
        c.commit();
        c.setAutocommit(true);
    }
}
