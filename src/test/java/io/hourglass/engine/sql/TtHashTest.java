package io.hourglass.engine.sql;

import io.hourglass.engine.TestInstances;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.Instance;
import io.hourglass.engine.store.Key;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** TT_HASH is the hash a hash index keeps for the same values, as TimesTen's is. */
class TtHashTest {
    @Test
    void ttHashIsTheHashIndexsHash() {
        try (Instance inst = TestInstances.one("TTH")) {
            Connection c = inst.connect("TTH", "admin", TestInstances.ADMIN_PASSWORD);
            c.execute("CREATE TABLE h (id INTEGER, amt NUMBER(8,2), name CHAR(6))");
            c.execute("INSERT INTO h VALUES (1, 2.5, 'ab'), (-7, 100, 'xyz'), (123456789, 0.01, 'q')");
            for (Object[] r : c.execute("SELECT id, amt, name, TT_HASH(id, amt, name) FROM h").rows()) {
                long id = ((Number) r[0]).longValue();
                Object amt = r[1] instanceof BigDecimal d ? d : BigDecimal.valueOf(((Number) r[1]).longValue());
                assertEquals((long) new Key(new Object[] {id, amt, r[2]}).hashCode(), r[3], "row " + id);
            }
            c.close();
        }
    }
}
