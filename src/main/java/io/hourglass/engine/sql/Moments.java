package io.hourglass.engine.sql;

import io.hourglass.engine.ErrorCode;
import io.hourglass.engine.catalog.Values;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Set;

/**
 * The state of the variance aggregates (VARIANCE, VAR_SAMP, VAR_POP, STDDEV, STDDEV_SAMP,
 * STDDEV_POP) over some values: their count, sum and sum of squares, exact (a decimal of as
 * many digits as they take), so the one rounding is the final division's. Two states of disjoint
 * rows merge by adding, as a group's rows come and as a window's segment tree joins its halves.
 */
record Moments(long n, BigDecimal sum, BigDecimal squares) {
    static final Set<String> NAMES = Set.of("VARIANCE", "VAR_SAMP", "VAR_POP", "STDDEV", "STDDEV_SAMP", "STDDEV_POP");
    /** Digits of the division and root, past NUMBER's 38 that the result is rounded to. */
    private static final MathContext WORKING = new MathContext(60);

    static Moments of(Object v) {
        if (v instanceof Double d && !Double.isFinite(d)) throw ErrorCode.NUMERIC_OVERFLOW.error("a variance of " + d);
        BigDecimal x = Values.toDecimal(v);
        return new Moments(1, x, x.multiply(x));
    }

    /** {@code m} and the value {@code v} (m null: none yet). */
    static Moments plus(Moments m, Object v) { return m == null ? of(v) : m.plus(of(v)); }

    Moments plus(Moments o) { return new Moments(n + o.n, sum.add(o.sum), squares.add(o.squares)); }

    /**
     * The aggregate {@code name} of these values, as Oracle defines it: the sample variance
     * divides the squared deviations by n - 1 (VAR_SAMP and STDDEV_SAMP are NULL for one value,
     * VARIANCE and STDDEV 0), the population variance by n; a standard deviation is the root.
     * {@code m} null (no values): NULL.
     */
    static Object result(Moments m, String name) {
        if (m == null) return null;
        boolean population = name.endsWith("_POP");
        if (m.n == 1 && !population) return name.endsWith("_SAMP") ? null : 0L;
        // n * sum of squares - sum^2 = n^2 times the population variance; exact, so never below 0
        BigDecimal spread = BigDecimal.valueOf(m.n).multiply(m.squares).subtract(m.sum.multiply(m.sum));
        BigDecimal n = BigDecimal.valueOf(m.n);
        BigDecimal variance = spread.divide(n.multiply(population ? n : n.subtract(BigDecimal.ONE)), WORKING);
        BigDecimal r = name.startsWith("STDDEV") ? variance.sqrt(WORKING) : variance;
        return Values.integralOrDecimal(Values.normalize(Values.number(r)));
    }
}
