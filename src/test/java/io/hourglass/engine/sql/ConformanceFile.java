package io.hourglass.engine.sql;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The records of a conformance file (format in {@link SqlConformanceTest}): each its line, its
 * head's words ({@code statement ok}, {@code query rowsort}, {@code connect NAME USER PASSWORD}
 * ...), its SQL (none for connect and autocommit) and its expected rows.
 */
record ConformanceFile(Path path, List<ConformanceFile.Record> records) {
    record Record(int line, String[] head, String sql, List<String> expected) {
        /** A directive (connect, autocommit), not a statement. */
        boolean directive() { return head[0].equals("connect") || head[0].equals("autocommit"); }
    }

    /** Every {@code *.test} file of the suite, in name order. */
    static List<Path> all() {
        try (Stream<Path> s = Files.list(Path.of(ConformanceFile.class.getResource("/sql").toURI()))) {
            return s.filter(p -> p.toString().endsWith(".test")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static ConformanceFile read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Record> out = new ArrayList<>();
        int i = 0;
        while (i < lines.size()) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) { i++; continue; }
            int recordLine = i + 1;
            String[] head = line.split("\\s+");
            i++;
            if (head[0].equals("connect") || head[0].equals("autocommit")) {
                out.add(new Record(recordLine, head, null, List.of()));
                continue;
            }
            StringBuilder sql = new StringBuilder();
            while (i < lines.size() && !lines.get(i).isBlank() && !lines.get(i).equals("----")) {
                sql.append(sql.isEmpty() ? "" : "\n").append(lines.get(i));
                i++;
            }
            List<String> expected = new ArrayList<>();
            if (i < lines.size() && lines.get(i).equals("----")) {
                i++;
                while (i < lines.size() && !lines.get(i).isBlank()) expected.add(lines.get(i++));
            }
            out.add(new Record(recordLine, head, sql.toString(), expected));
        }
        return new ConformanceFile(file, List.copyOf(out));
    }
}
