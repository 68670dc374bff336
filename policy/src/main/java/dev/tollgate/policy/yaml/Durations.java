package dev.tollgate.policy.yaml;

import java.time.Duration;
import java.util.Locale;

/** The durations policy documents write: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}. */
public final class Durations {

    private Durations() {
    }

    /** @return the positive duration, or null when the text is not one */
    public static Duration parse(String value) {
        if (value == null) {
            return null;
        }
        String text = value.trim().toLowerCase(Locale.ROOT);
        try {
            Duration d;
            if (text.endsWith("ms")) {
                d = Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
            } else if (text.endsWith("s")) {
                d = Duration.ofSeconds(Long.parseLong(text.substring(0, text.length() - 1)));
            } else if (text.endsWith("m")) {
                d = Duration.ofMinutes(Long.parseLong(text.substring(0, text.length() - 1)));
            } else if (text.endsWith("h")) {
                d = Duration.ofHours(Long.parseLong(text.substring(0, text.length() - 1)));
            } else {
                return null;
            }
            return d.isZero() || d.isNegative() ? null : d;
        } catch (NumberFormatException | ArithmeticException e) {
            return null;
        }
    }
}
