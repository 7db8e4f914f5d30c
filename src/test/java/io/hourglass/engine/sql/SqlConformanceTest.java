package io.hourglass.engine.sql;

import io.hourglass.engine.HourglassException;
import io.hourglass.engine.TestInstances;
import io.hourglass.engine.catalog.Values;
import io.hourglass.engine.lifecycle.Connection;
import io.hourglass.engine.lifecycle.Instance;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs the SQL conformance suite: every {@code *.test} file under {@code src/test/resources/sql}
 * against a fresh database. Record format (docs/SQL.md, "Conformance suite"):
 * <pre>
 * statement ok                     the statement must succeed
 * statement count N                it must succeed and report N rows changed
 * statement error NNNN [text]      it must fail with TTNNNN (and the message contain text)
 * query [rowsort]                  a query; after "----" one line per row, cells joined by |,
 *                                  NULL as NULL, trailing blanks of each cell trimmed
 * connect NAME USER PASSWORD       open (or switch to) connection NAME as USER
 * autocommit on|off                on the current connection
 * </pre>
 * A statement ends at a blank line. {@code #} starts a comment line.
 */
class SqlConformanceTest {

    @TestFactory
    Stream<DynamicTest> conformance() {
        List<Path> files = ConformanceFile.all();
        assertTrue(files.size() >= 5, "the conformance suite files are missing");
        return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> runFile(ConformanceFile.read(f))));
    }

    private static void runFile(ConformanceFile file) {
        List<String> failures = new ArrayList<>();
        int records = 0;
        try (Instance inst = TestInstances.one("CONF")) {
            Map<String, Connection> conns = new HashMap<>();
            Connection cur = inst.connect("CONF", "admin", TestInstances.ADMIN_PASSWORD);
            conns.put("default", cur);
            for (ConformanceFile.Record rec : file.records()) {
                String[] head = rec.head();
                String where = file.path().getFileName() + ":" + rec.line() + ": ";
                switch (head[0]) {
                    case "connect" -> {
                        String name = head[1];
                        Connection c = conns.get(name);
                        if (c == null) {
                            try {
                                c = inst.connect("CONF", head[2], head[3]);
                                conns.put(name, c);
                            } catch (HourglassException e) {
                                failures.add(where + "connect failed: " + e.getMessage());
                                continue;
                            }
                        }
                        cur = c;
                        continue;
                    }
                    case "autocommit" -> {
                        cur.setAutocommit(head[1].equals("on"));
                        continue;
                    }
                    default -> { }
                }
                String sql = rec.sql();
                List<String> expected = new ArrayList<>(rec.expected());
                records++;
                try {
                    StatementResult r = cur.execute(sql);
                    switch (head[0]) {
                        case "statement" -> {
                            if (head[1].equals("error")) {
                                failures.add(where + "expected error " + head[2] + " but it succeeded: " + sql);
                            } else if (head[1].equals("count") && r.updateCount() != Long.parseLong(head[2])) {
                                failures.add(where + "expected count " + head[2] + " but got " + r.updateCount() + ": " + sql);
                            }
                        }
                        case "query" -> {
                            List<String> actual = new ArrayList<>();
                            for (Object[] row : r.rows()) {
                                StringBuilder sb = new StringBuilder();
                                for (int c = 0; c < row.length; c++) {
                                    sb.append(c > 0 ? "|" : "").append(Values.toText(row[c]).stripTrailing());
                                }
                                actual.add(sb.toString());
                            }
                            if (head.length > 1 && head[1].equals("rowsort")) {
                                actual.sort(null);
                                expected.sort(null);
                            }
                            if (!actual.equals(expected)) {
                                failures.add(where + "query " + sql + "\n  expected " + expected + "\n  actual   " + actual);
                            }
                        }
                        default -> failures.add(where + "unknown record type " + head[0]);
                    }
                } catch (HourglassException e) {
                    boolean expectedError = head[0].equals("statement") && head[1].equals("error")
                            && e.number() == Integer.parseInt(head[2]);
                    if (expectedError && head.length > 3) {
                        String text = String.join(" ", java.util.Arrays.copyOfRange(head, 3, head.length));
                        expectedError = e.getMessage().contains(text);
                    }
                    if (!expectedError) failures.add(where + "unexpected " + e.getMessage() + " for: " + sql);
                }
            }
        }
        if (records == 0) fail(file.path() + " holds no records");
        if (!failures.isEmpty()) fail(failures.size() + " of " + records + " records failed:\n" + String.join("\n", failures));
    }
}
