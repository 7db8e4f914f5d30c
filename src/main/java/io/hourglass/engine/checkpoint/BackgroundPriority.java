package io.hourglass.engine.checkpoint;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Lowers the calling platform thread's CPU priority to nice 19 on Linux, so a checkpoint uses
 * the CPU the transactions leave idle instead of preempting them (the kernel's wakeup bonus
 * would otherwise let each burst of the checkpointer push a transaction's thread off its core
 * for milliseconds). Best effort: where the call is not available (another OS, a native image
 * built without foreign-function support, a denied native access) it does nothing; on Linux it
 * says so once, as a warning, since checkpoints then compete with transactions for the CPU.
 */
final class BackgroundPriority {
    private static final Logger LOG = Logger.getLogger(BackgroundPriority.class.getName());
    private static final int PRIO_PROCESS = 0;
    private static final int NICE = 19;
    private static final MethodHandle SETPRIORITY;
    private static final MethodHandle GETTID;

    static {
        MethodHandle set = null, tid = null;
        if (System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
            try {
                Linker linker = Linker.nativeLinker();
                var libc = linker.defaultLookup();
                set = linker.downcallHandle(libc.find("setpriority").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
                tid = linker.downcallHandle(libc.find("gettid").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT));
            } catch (Throwable t) {
                LOG.log(Level.WARNING, "checkpoint threads keep normal priority (setpriority cannot be called: " + t + ")");
                LOG.log(Level.FINE, "the failed lookup", t);
                set = null;
                tid = null;
            }
        }
        SETPRIORITY = set;
        GETTID = tid;
    }

    private BackgroundPriority() {}

    /** Lowers the calling thread's priority; on Linux a thread's nice value is its own. */
    static void lowerCurrentThread() {
        if (SETPRIORITY == null || Thread.currentThread().isVirtual()) return;
        try {
            int tid = (int) GETTID.invokeExact();
            int rc = (int) SETPRIORITY.invokeExact(PRIO_PROCESS, tid, NICE);
            if (rc != 0) LOG.fine("setpriority failed for thread " + tid);
        } catch (Throwable t) {
            LOG.log(Level.FINE, "cannot lower the checkpoint thread's priority", t);
        }
    }
}
