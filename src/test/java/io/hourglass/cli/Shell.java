package io.hourglass.cli;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/** {@code hourglass sql} against the running test service, for tests outside this package. */
public final class Shell {
    private Shell() {}

    /** What the shell prints (standard output, then standard error) for {@code script} on the database of {@code dsn}, as ADMIN. */
    public static String run(String dsn, String adminPassword, String script) {
        ServiceCommandsTest.Run r = ServiceCommandsTest.cli(script.getBytes(StandardCharsets.UTF_8),
                Map.of("HOURGLASS_ADMIN_PASSWORD", adminPassword, "HOURGLASS_SERVER", "localhost:8081"),
                "sql", "DSN=" + dsn + ";UID=admin;PWD=" + adminPassword);
        return r.out() + r.err();
    }
}
