package io.hourglass.engine.catalog;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;

/**
 * HMAC-SHA256 under a random key made with this object: a fingerprint of a secret that can be
 * compared in this process and means nothing outside it (the key is never written anywhere).
 */
final class KeyedMac {
    private static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec key;

    KeyedMac() {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        this.key = new SecretKeySpec(k, ALGORITHM);
    }

    /** The MAC of {@code parts}, each in UTF-8, a zero byte between two. */
    byte[] of(String... parts) {
        try {
            Mac m = Mac.getInstance(ALGORITHM);
            m.init(key);
            for (int i = 0; i < parts.length; i++) {
                if (i > 0) m.update((byte) 0);
                m.update(parts[i].getBytes(StandardCharsets.UTF_8));
            }
            return m.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(ALGORITHM + " unavailable", e);
        }
    }
}
