package io.hourglass.engine.catalog;

import java.security.MessageDigest;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The instance administrator's password as the process holds it: an HMAC-SHA256 of it under a
 * random key made at start, compared in constant time.
 *
 * <p>Why not the slow hash database users get ({@link PasswordHasher}): a user's hash is written
 * to the checkpoint files, the log and the Kafka archive, where a thief could try guesses against
 * it offline, and PBKDF2 makes each guess cost. The administrator's password is never written
 * anywhere; it comes from the service's configuration, which the process holds anyway, so a slow
 * hash of it in the same memory would protect nothing. It did cost: about 0.2 s of CPU at every
 * start of the native binary, 10 MB of garbage left in the young generation of an idle service,
 * and 0.24 s on every administrator call.
 *
 * <p>What the slow hash also did was slow down guessing over the network. {@link #verify} keeps
 * that without the CPU: a wrong password is answered only after {@link #FAILURE_DELAY_MILLIS},
 * and wrong answers are given one at a time, so guesses go at most five a second however many
 * connections try, while the right password is answered at once and never waits behind them.
 */
public final class InstanceSecret {
    /** How long a wrong password takes to be refused; one refusal at a time. */
    public static final long FAILURE_DELAY_MILLIS = 200;

    private final KeyedMac keyed = new KeyedMac();
    private final byte[] mac;
    private final ReentrantLock refusals = new ReentrantLock(true);

    public InstanceSecret(String password) {
        if (password == null || password.isBlank()) throw new IllegalArgumentException("the instance administrator needs a password");
        this.mac = keyed.of(password);
    }

    /**
     * Whether {@code candidate} is the administrator's password, for a login: a wrong one is
     * refused after {@link #FAILURE_DELAY_MILLIS}, behind any other refusal under way. Call it
     * from a thread that may block (engine calls run on virtual or worker threads).
     */
    public boolean verify(String candidate) {
        if (matches(candidate)) return true;
        refusals.lock();
        try {
            Thread.sleep(FAILURE_DELAY_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            refusals.unlock();
        }
        return false;
    }

    /** Whether {@code candidate} is the administrator's password (no delay: not for logins). */
    public boolean matches(String candidate) {
        return candidate != null && MessageDigest.isEqual(mac, keyed.of(candidate));
    }
}
