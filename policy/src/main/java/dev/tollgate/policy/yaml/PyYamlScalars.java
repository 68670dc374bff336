package dev.tollgate.policy.yaml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.math.BigInteger;
import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * The value PyYAML's {@code SafeConstructor} makes of a scalar of a core tag ({@code construct_yaml_int},
 * {@code _float}, {@code _bool}, {@code _null}, {@code _timestamp}), as a JSON node: numbers as Jackson's YAML reader
 * types them (int, long, BigInteger; a Python float is a double), a date or datetime as a {@link PythonDate}
 * POJO node. A scalar PyYAML fails to construct ({@code 0x_}, {@code 2026-13-01}, an explicit {@code !!int abc}) or a
 * tag {@code safe_load} has no constructor for makes AGT refuse the whole document: {@link IllegalArgumentException}.
 */
final class PyYamlScalars {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    /** PyYAML's {@code timestamp_regexp}, which the constructor reads (laxer than the resolver's: one-digit months). */
    private static final Pattern TIMESTAMP = Pattern.compile("^(?<year>[0-9][0-9][0-9][0-9])-(?<month>[0-9][0-9]?)-(?<day>[0-9][0-9]?)"
            + "(?:(?:[Tt]|[ \\t]+)(?<hour>[0-9][0-9]?):(?<minute>[0-9][0-9]):(?<second>[0-9][0-9])(?:\\.(?<fraction>[0-9]*))?"
            + "(?:[ \\t]*(?<tz>Z|(?<tzsign>[-+])(?<tzhour>[0-9][0-9]?)(?::(?<tzminute>[0-9][0-9]))?))?)?$");
    private static final int SECONDS_A_DAY = 24 * 3600;

    private PyYamlScalars() {
    }

    static JsonNode construct(Tag tag, String text) {
        if (Tag.STR.equals(tag)) {
            return F.textNode(text);
        }
        if (Tag.NULL.equals(tag)) {
            return F.nullNode();
        }
        if (Tag.BOOL.equals(tag)) {
            String lower = text.toLowerCase(Locale.ROOT);
            // PyYAML's bool_values; an explicit !!bool of anything else raises KeyError there.
            return switch (lower) {
                case "yes", "true", "on" -> F.booleanNode(true);
                case "no", "false", "off" -> F.booleanNode(false);
                default -> throw new IllegalArgumentException("'" + text + "' is not a YAML 1.1 bool");
            };
        }
        if (Tag.INT.equals(tag)) {
            return integer(text);
        }
        if (Tag.FLOAT.equals(tag)) {
            return F.numberNode(floating(text));
        }
        if (Tag.TIMESTAMP.equals(tag)) {
            return F.pojoNode(timestamp(text));
        }
        throw new IllegalArgumentException("AGT's YAML reader (yaml.safe_load) has no constructor for the tag " + tag.getValue()
                + ": AGT refuses this document");
    }

    /** {@code construct_yaml_int}: underscores dropped, then binary, hex, octal (a leading 0), base 60 or decimal. */
    private static JsonNode integer(String text) {
        String value = text.replace("_", "");
        int sign = 1;
        if (!value.isEmpty() && (value.charAt(0) == '-' || value.charAt(0) == '+')) {
            sign = value.charAt(0) == '-' ? -1 : 1;
            value = value.substring(1);
        }
        BigInteger n;
        try {
            if (value.equals("0")) {
                n = BigInteger.ZERO;
            } else if (value.startsWith("0b")) {
                n = new BigInteger(value.substring(2), 2);
            } else if (value.startsWith("0x")) {
                n = new BigInteger(value.substring(2), 16);
            } else if (value.startsWith("0")) {
                n = new BigInteger(value, 8);
            } else if (value.contains(":")) {
                n = BigInteger.ZERO;
                for (String digit : value.split(":", -1)) {
                    n = n.multiply(BigInteger.valueOf(60)).add(new BigInteger(digit));
                }
            } else {
                n = new BigInteger(value);
            }
        } catch (NumberFormatException e) {
            // int('', 16) for 0x_ raises ValueError in PyYAML too.
            throw new IllegalArgumentException("'" + text + "' is not an integer PyYAML can read: AGT refuses this document");
        }
        n = sign < 0 ? n.negate() : n;
        if (n.bitLength() < Integer.SIZE) {
            return F.numberNode(n.intValue());
        }
        return n.bitLength() < Long.SIZE ? F.numberNode(n.longValue()) : F.numberNode(n);
    }

    /** {@code construct_yaml_float}: a Python float (a double); underscores dropped; {@code .inf}, {@code .nan}, base 60. */
    private static double floating(String text) {
        String value = text.replace("_", "").toLowerCase(Locale.ROOT);
        double sign = 1;
        if (!value.isEmpty() && (value.charAt(0) == '-' || value.charAt(0) == '+')) {
            sign = value.charAt(0) == '-' ? -1 : 1;
            value = value.substring(1);
        }
        try {
            if (value.equals(".inf")) {
                return sign * Double.POSITIVE_INFINITY;
            }
            if (value.equals(".nan")) {
                return Double.NaN;
            }
            if (value.contains(":")) {
                // As PyYAML sums it, from the last part up, in doubles.
                String[] parts = value.split(":", -1);
                double base = 1;
                double sum = 0.0;
                for (int i = parts.length - 1; i >= 0; i--) {
                    sum += pythonFloat(parts[i]) * base;
                    base *= 60;
                }
                return sign * sum;
            }
            return sign * pythonFloat(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a float PyYAML can read: AGT refuses this document");
        }
    }

    /** Python's {@code float()} of the digits a float scalar leaves (both round correctly); refuses Java-only forms. */
    private static double pythonFloat(String digits) {
        if (!digits.matches("[0-9]*\\.?[0-9]*(?:e[-+]?[0-9]+)?") || digits.replace(".", "").startsWith("e") || digits.equals(".")) {
            throw new NumberFormatException(digits);
        }
        return Double.parseDouble(digits);
    }

    /** {@code construct_yaml_timestamp}: a date when no time is written, else a datetime, aware when an offset or Z is. */
    private static PythonDate timestamp(String text) {
        Matcher m = TIMESTAMP.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a timestamp PyYAML can read: AGT refuses this document");
        }
        int year = Integer.parseInt(m.group("year"));
        int month = Integer.parseInt(m.group("month"));
        int day = Integer.parseInt(m.group("day"));
        try {
            if (year < 1) {
                throw new DateTimeException("year 0 is out of range");
            }
            if (m.group("hour") == null) {
                return new PythonDate(LocalDateTime.of(year, month, day, 0, 0), false, false, 0);
            }
            String fraction = m.group("fraction") == null ? "" : m.group("fraction");
            fraction = (fraction.length() > 6 ? fraction.substring(0, 6) : fraction + "000000".substring(fraction.length()));
            LocalDateTime value = LocalDateTime.of(year, month, day, Integer.parseInt(m.group("hour")), Integer.parseInt(m.group("minute")),
                    Integer.parseInt(m.group("second")), Integer.parseInt(fraction) * 1000);
            if (m.group("tz") == null) {
                return new PythonDate(value, true, false, 0);
            }
            int offset = 0;
            if (m.group("tzsign") != null) {
                offset = Integer.parseInt(m.group("tzhour")) * 3600 + (m.group("tzminute") == null ? 0 : Integer.parseInt(m.group("tzminute")) * 60);
                offset = "-".equals(m.group("tzsign")) ? -offset : offset;
                if (Math.abs(offset) >= SECONDS_A_DAY) {
                    throw new DateTimeException("offset must be less than a day");
                }
            }
            return new PythonDate(value, true, true, offset);
        } catch (DateTimeException e) {
            // Python's datetime raises ValueError for these (month 13, second 60, hour 24): PyYAML does not catch it.
            throw new IllegalArgumentException("'" + text + "' is not a valid date (" + e.getMessage() + "): AGT refuses this document");
        }
    }
}
