package io.hourglass.cache;

import io.hourglass.engine.spi.CacheBackend;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The adapter's own edges, without a PostgreSQL server. */
class PostgresBackendTest {
    @Test
    void aServerThatNeverAnswersIsAConnectionFailureNotAHang() throws Exception {
        try (ServerSocket silent = new ServerSocket(0)) {
            List<Socket> accepted = new ArrayList<>();
            Thread acceptor = Thread.ofVirtual().start(() -> {
                try {
                    while (true) accepted.add(silent.accept()); // and never a byte back
                } catch (java.io.IOException closed) {
                    // the test is over
                }
            });
            String url = "jdbc:postgresql://localhost:" + silent.getLocalPort() + "/db?loginTimeout=1";
            CacheBackend.Failure f = assertThrows(CacheBackend.Failure.class, () -> new PostgresBackend().open(url, "u", "p"));
            assertTrue(f.connection(), "reported as a connection failure (TT5220): " + f.getMessage());
            silent.close();
            acceptor.join();
            for (Socket s : accepted) s.close();
        }
    }

    @Test
    void onlyPostgresUrlsAreTaken() {
        CacheBackend.Failure f = assertThrows(CacheBackend.Failure.class,
                () -> new PostgresBackend().open("jdbc:mysql://localhost/db", "u", "p"));
        assertTrue(f.getMessage().contains("jdbc:postgresql://"), f.getMessage());
    }
}
