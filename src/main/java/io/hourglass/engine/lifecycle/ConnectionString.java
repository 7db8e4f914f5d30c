package io.hourglass.engine.lifecycle;

import io.hourglass.engine.ErrorCode;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A TimesTen connection string, {@code DSN=name;UID=user;PWD=secret;Attr=value}. Attribute names
 * are case-insensitive; when an attribute appears twice the first one wins, as in TimesTen.
 * A value may not contain ';'.
 */
public record ConnectionString(Map<String, String> attributes) {
    public static ConnectionString parse(String s) {
        Map<String, String> m = new LinkedHashMap<>();
        if (s != null) {
            for (String part : s.split(";")) {
                if (part.isBlank()) continue;
                int eq = part.indexOf('=');
                if (eq <= 0) throw ErrorCode.INVALID_ATTRIBUTE.error("'" + part.trim() + "' is not name=value");
                String key = part.substring(0, eq).trim().toUpperCase(Locale.ROOT);
                m.putIfAbsent(key, part.substring(eq + 1).trim());
            }
        }
        return new ConnectionString(Collections.unmodifiableMap(m));
    }

    public String get(String attr) { return attributes.get(attr.toUpperCase(Locale.ROOT)); }

    public String dsn() { return get("DSN"); }

    public String uid() { return get("UID"); }

    public String pwd() { return get("PWD"); }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        attributes.forEach((k, v) -> sb.append(k).append('=').append(k.equals("PWD") ? "*****" : v).append(';'));
        return sb.toString();
    }
}
