package io.hourglass.service;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Where engine calls run: a virtual thread per task. Engine calls may wait for a row lock (up to
 * LockWait) and never run on a Vert.x event loop; a waiting virtual thread costs no platform
 * thread, so lock waits cannot starve the service.
 */
@ApplicationScoped
public class EngineExecutor implements Executor {
    private final ExecutorService threads = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("hourglass-engine-", 0).factory());

    @Override
    public void execute(Runnable command) { threads.execute(command); }

    @PreDestroy
    void stop() { threads.shutdown(); }
}
