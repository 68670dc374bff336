package dev.tollgate.policy.yaml;

import com.fasterxml.jackson.annotation.JsonValue;
import java.time.LocalDateTime;

/**
 * A {@code datetime.date} or {@code datetime.datetime}, as PyYAML reads a timestamp scalar ({@code 2026-12-02},
 * {@code 2026-12-02 10:00:00+01:00}). JSON has no such value, so no call value is ever equal to one, and Python refuses to
 * order one against a string or a number (TypeError: AGT denies the call). Held in a document tree as a
 * {@link com.fasterxml.jackson.databind.node.POJONode}.
 *
 * @param value         the date and time as written (midnight for a date)
 * @param hasTime       false for a {@code datetime.date}
 * @param aware         a datetime with a UTC offset ({@code Z} or {@code +05:30})
 * @param offsetSeconds the offset of an aware datetime (Python allows up to a day exclusive, beyond Java's ZoneOffset)
 */
public record PythonDate(LocalDateTime value, boolean hasTime, boolean aware, int offsetSeconds) {

    /**
     * Python's equality: a date equals only a date, a naive datetime only a naive one, and aware datetimes are equal
     * when they are the same instant (whatever their offsets).
     */
    @Override
    public boolean equals(Object other) {
        return other instanceof PythonDate d && key().equals(d.key());
    }

    @Override
    public int hashCode() {
        return key().hashCode();
    }

    private String key() {
        if (!hasTime) {
            return "date " + value.toLocalDate();
        }
        return aware ? "aware " + value.minusSeconds(offsetSeconds) : "naive " + value;
    }

    /** Python's {@code str()}: {@code 2026-12-02}, {@code 2026-12-02 10:00:00.500000+05:30}; what a {@code matches} searches for. */
    @JsonValue
    @Override
    public String toString() {
        if (!hasTime) {
            return value.toLocalDate().toString();
        }
        StringBuilder s = new StringBuilder(value.toLocalDate().toString()).append(' ')
                .append(String.format("%02d:%02d:%02d", value.getHour(), value.getMinute(), value.getSecond()));
        int micros = value.getNano() / 1000;
        if (micros != 0) {
            s.append(String.format(".%06d", micros));
        }
        if (aware) {
            int abs = Math.abs(offsetSeconds);
            s.append(offsetSeconds < 0 ? '-' : '+').append(String.format("%02d:%02d", abs / 3600, abs % 3600 / 60));
        }
        return s.toString();
    }

    /** "a date" or "a datetime", as messages name a value's type. */
    public String kind() {
        return hasTime ? "a datetime" : "a date";
    }
}
