package io.hourglass.engine.sql;

import io.hourglass.engine.HourglassException;
import io.hourglass.engine.TestInstances;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.Instance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * NUMBER's range and precision (Oracle's: 38 significant digits, magnitudes below 1E126, 0
 * below 1E-130) and the dates' (years 1 to 9999), wherever a value comes from: a literal, a
 * parameter, a string converted, arithmetic. Past them a numbered error (TT90004), never an
 * internal error, and never a number of a billion digits.
 */
class NumberRangeTest {
    private static Instance inst;
    private static Connection c;

    @BeforeAll
    static void load() {
        inst = TestInstances.one("NUMS");
        c = inst.connect("NUMS", "admin", TestInstances.ADMIN_PASSWORD);
        c.execute("CREATE TABLE n (id INTEGER PRIMARY KEY, x NUMBER, i INTEGER, d DATE)");
    }

    @AfterAll
    static void close() {
        c.close();
        inst.close();
    }

    private static int code(String sql, Object... params) {
        return assertThrows(HourglassException.class, () -> c.execute(sql, params), sql).number();
    }

    private static Object value(String sql, Object... params) { return c.execute(sql, params).rows().get(0)[0]; }

    @Test
    void numbersPastTheRangeAreNumericOverflowWhereverTheyComeFrom() {
        assertEquals(90004, code("SELECT TO_NUMBER('1e999999999') FROM dual"));
        assertEquals(90004, code("SELECT CAST('1e126' AS NUMBER) FROM dual"));
        assertEquals(90004, code("SELECT 1e126 FROM dual".replace("1e126", "1" + "0".repeat(126))));
        assertEquals(90004, code("INSERT INTO n (id, x) VALUES (1, ?)", "9e200"));
        assertEquals(90004, code("INSERT INTO n (id, x) VALUES (1, ?)", new BigDecimal("1e300")));
        assertEquals(90004, code("INSERT INTO n (id, i) VALUES (1, ?)", "1e999999999"));
        assertEquals(90004, code("SELECT TO_NUMBER('1e100') * TO_NUMBER('1e100') FROM dual"));
        assertEquals(0L, value("SELECT COUNT(*) FROM n"), "nothing was inserted");
        // The largest NUMBER is fine, and so is a tiny one, which is 0 below 1E-130.
        assertEquals(0, new BigDecimal("9.99E+125").compareTo((BigDecimal) value("SELECT TO_NUMBER('9.99e125') FROM dual")));
        assertEquals(0L, value("SELECT TO_NUMBER('1e-999999999') FROM dual"));
        assertEquals(1L, value("SELECT TO_NUMBER('1e-999999999') + 1 FROM dual"));
    }

    @Test
    void arithmeticKeeps38SignificantDigits() {
        String nines = "9".repeat(41);
        BigDecimal product = (BigDecimal) value("SELECT " + nines + " * " + nines + " FROM dual");
        assertEquals(38, product.precision());
        assertEquals(new BigDecimal("1E+82"), product.stripTrailingZeros());
    }

    @Test
    void roundAndTruncTakeAnyNumberOfPlaces() {
        assertEquals(new BigDecimal("1.5"), value("SELECT ROUND(1.5, 1000000000) FROM dual"));
        assertEquals(0L, value("SELECT ROUND(1.5, -1000000000) FROM dual"));
        assertEquals(new BigDecimal("1.5"), value("SELECT TRUNC(1.5, 99999999999999999999) FROM dual"));
        assertEquals(1.5, value("SELECT ROUND(1.5e0, 1000000000) FROM dual"));
        assertEquals(0.0, value("SELECT ROUND(1.5e0, -1000000000) FROM dual"));
        assertEquals(120L, value("SELECT ROUND(123, -1) FROM dual"));
        assertEquals("bc", value("SELECT SUBSTR('abc', 2, 99999999999999999999) FROM dual"));
    }

    @Test
    void datesStayInTheYears1To9999() {
        assertEquals(90004, code("SELECT DATE '9999-12-31' + 1 FROM dual"));
        assertEquals(90004, code("SELECT DATE '0001-01-01' - 1 FROM dual"));
        assertEquals(90004, code("SELECT DATE '2024-01-01' + 1e100 FROM dual"));
        assertEquals(90004, code("INSERT INTO n (id, d) VALUES (1, DATE '9999-12-31' + 1)"));
        assertEquals("9999-12-31 00:00:00", io.hourglass.engine.catalog.Values.toText(value("SELECT DATE '9999-12-30' + 1 FROM dual")));
    }
}
