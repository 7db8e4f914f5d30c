package io.hourglass.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** {@code hourglass sql} against the running test service, for tests outside this package. */
public final class Shell {
    private Shell() {}

    /** What the shell prints (standard output, then standard error) for {@code script} on the database of {@code dsn}, as ADMIN. */
    public static String run(String dsn, String adminPassword, String script) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        new HourglassCli(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                new ByteArrayInputStream(script.getBytes(StandardCharsets.UTF_8)), new ByteArrayOutputStream(),
                Map.of("HOURGLASS_ADMIN_PASSWORD", adminPassword, "HOURGLASS_SERVER", "localhost:8081"))
                .run(new String[] {"sql", "DSN=" + dsn + ";UID=admin;PWD=" + adminPassword});
        return out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
    }
}
