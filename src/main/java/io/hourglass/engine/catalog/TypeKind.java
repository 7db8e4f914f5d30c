package io.hourglass.engine.catalog;

/** The SQL types Hourglass stores. Java representation of a value in brackets. */
public enum TypeKind {
    TINYINT("TT_TINYINT"),       // [Long] 0..255 as in TimesTen (unsigned)
    SMALLINT("TT_SMALLINT"),     // [Long]
    INTEGER("TT_INTEGER"),       // [Long]
    BIGINT("TT_BIGINT"),         // [Long]
    NUMBER("NUMBER"),            // [BigDecimal]
    DOUBLE("BINARY_DOUBLE"),     // [Double]
    CHAR("CHAR"),                // [String], blank-padded to its length
    VARCHAR("VARCHAR2"),         // [String]
    VARBINARY("VARBINARY"),      // [Bytes]
    DATE("DATE"),                // [LocalDateTime], second precision
    TIMESTAMP("TIMESTAMP"),      // [LocalDateTime], nanosecond precision
    BOOLEAN("BOOLEAN"),          // [Boolean]; only as an expression type, not a column type
    ROWID("ROWID"),              // [String], RowIds' 18 characters: the ROWID pseudocolumn, CHARTOROWID, a column
    INTERVAL("INTERVAL");        // [Interval]; only inside an expression, added to a date (as TimesTen's), never a result or a column

    private final String sqlName;

    TypeKind(String sqlName) { this.sqlName = sqlName; }

    public String sqlName() { return sqlName; }

    public boolean isInteger() { return this == TINYINT || this == SMALLINT || this == INTEGER || this == BIGINT; }

    public boolean isNumeric() { return isInteger() || this == NUMBER || this == DOUBLE; }

    public boolean isString() { return this == CHAR || this == VARCHAR; }

    public boolean isDatetime() { return this == DATE || this == TIMESTAMP; }
}
