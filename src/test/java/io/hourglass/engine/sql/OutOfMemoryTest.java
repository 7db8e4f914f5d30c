package io.hourglass.engine.sql;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The heap running out in the middle of a statement (a service given less heap than its PermSize
 * and TempSize promise) fails that statement with TT90037 and undoes it, like any failed
 * statement: the transaction around it goes on and commits what it did before, and no row lock
 * of the undone statement is left. In a child JVM with a 64 MB heap, so the test's own JVM never
 * runs out.
 */
class OutOfMemoryTest {
    @Test
    void aStatementThatRunsTheHeapOutIsUndoneWithTT90037() throws Exception {
        List<String> cmd = List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx64m", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), OutOfMemoryWorker.class.getName());
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        List<String> lines = out.lines().toList();
        assertEquals(4, lines.size(), out);
        assertTrue(lines.get(0).startsWith("ERROR 90037 TT90037: Out of memory: the service's heap is exhausted"), out);
        assertTrue(lines.get(0).contains("the statement was undone"), out);
        assertEquals(List.of("IN TRANSACTION 1", "COMMITTED 1", "AFTER 3"), lines.subList(1, 4), out);
    }
}
