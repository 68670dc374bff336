package dev.tollgate.gateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.policy.yaml.LocatedYaml;
import dev.tollgate.policy.yaml.Problems;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads typed fields out of one YAML mapping and records a located {@link ConfigProblem} for every
 * missing, mistyped or unknown field instead of stopping at the first.
 */
final class NodeReader {

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KiB|MiB|GiB|KB|MB|GB)?");

    private final String file;
    private final LocatedYaml doc;
    private final String pointer;
    private final JsonNode node;
    private final List<ConfigProblem> problems;

    NodeReader(String file, LocatedYaml doc, String pointer, JsonNode node, List<ConfigProblem> problems) {
        this.file = file;
        this.doc = doc;
        this.pointer = pointer;
        this.node = node;
        this.problems = problems;
    }

    boolean isPresent() {
        return node != null && !node.isNull();
    }

    boolean isObject() {
        return node != null && node.isObject();
    }

    /** Flags every key not in {@code known}: a misspelt option must never be silently ignored. */
    void rejectUnknown(Set<String> known) {
        if (!isObject()) {
            return;
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!known.contains(name)) {
                problemAt(name, "unknown field (expected one of " + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        }
    }

    boolean has(String field) {
        return isObject() && node.hasNonNull(field);
    }

    NodeReader child(String field) {
        return new NodeReader(file, doc, pointer + "/" + field, isObject() ? node.get(field) : null, problems);
    }

    List<NodeReader> elements(String field, boolean required) {
        JsonNode value = isObject() ? node.get(field) : null;
        if (value == null || value.isNull()) {
            if (required) {
                problemAt(field, "is required");
            }
            return List.of();
        }
        if (!value.isArray()) {
            problemAt(field, "must be a list");
            return List.of();
        }
        List<NodeReader> out = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            out.add(new NodeReader(file, doc, pointer + "/" + field + "/" + i, value.get(i), problems));
        }
        return out;
    }

    String string(String field, String fallback) {
        JsonNode value = isObject() ? node.get(field) : null;
        if (value == null || value.isNull()) {
            if (fallback == null) {
                problemAt(field, "is required");
            }
            return fallback;
        }
        if (!value.isValueNode() || value.isBoolean()) {
            problemAt(field, "must be a string");
            return fallback;
        }
        String text = value.asText();
        if (text.isBlank()) {
            problemAt(field, "must not be empty");
            return fallback;
        }
        return text;
    }

    /** Null when absent or blank: an optional secret from {@code ${VAR:-}} with VAR unset is not an error. */
    String optionalString(String field) {
        JsonNode value = isObject() ? node.get(field) : null;
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isValueNode() || value.isBoolean()) {
            problemAt(field, "must be a string");
            return null;
        }
        return value.asText().isBlank() ? null : value.asText();
    }

    List<String> strings(String field, List<String> fallback) {
        JsonNode value = isObject() ? node.get(field) : null;
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isArray()) {
            problemAt(field, "must be a list of strings");
            return fallback;
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            JsonNode element = value.get(i);
            if (!element.isTextual() || element.asText().isBlank()) {
                problemAt(field + "/" + i, "must be a non-empty string");
            } else {
                out.add(element.asText());
            }
        }
        return out;
    }

    boolean bool(String field, boolean fallback) {
        JsonNode value = isObject() ? node.get(field) : null;
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isBoolean()) {
            problemAt(field, "must be true or false");
            return fallback;
        }
        return value.booleanValue();
    }

    /** A lower-case YAML word naming one constant of the enum, e.g. {@code when-full: drop}. */
    <E extends Enum<E>> E choice(String field, Class<E> type, E fallback) {
        JsonNode value = isObject() ? node.get(field) : null;
        if (value == null || value.isNull()) {
            return fallback;
        }
        // YAML 1.1 reads a bare off/no as false (and on/yes as true): `axid: off` means the choice "off".
        String text = value.isBoolean() ? (value.booleanValue() ? "on" : "off") : value.asText();
        for (E constant : type.getEnumConstants()) {
            if (constant.name().replace('_', '-').equalsIgnoreCase(text)) {
                return constant;
            }
        }
        List<String> names = new ArrayList<>();
        for (E constant : type.getEnumConstants()) {
            names.add(constant.name().replace('_', '-').toLowerCase(Locale.ROOT));
        }
        problemAt(field, "must be one of " + String.join(", ", names) + ", got '" + value.asText() + "'");
        return fallback;
    }

    int port(String field, Integer fallback) {
        JsonNode value = isObject() ? node.get(field) : null;
        if (value == null || value.isNull()) {
            if (fallback == null) {
                problemAt(field, "is required");
                return 0;
            }
            return fallback;
        }
        int port = value.canConvertToInt() && value.isIntegralNumber() ? value.intValue()
                : parseIntOrMinus(value.asText());
        if (port < 0 || port > 65535) {
            problemAt(field, "must be a port number between 0 and 65535 (0 picks a free port), got '" + value.asText() + "'");
            return 0;
        }
        return port;
    }

    int positiveInt(String field, int fallback) {
        JsonNode value = isObject() ? node.get(field) : null;
        if (value == null || value.isNull()) {
            return fallback;
        }
        int n = value.isIntegralNumber() && value.canConvertToInt() ? value.intValue() : parseIntOrMinus(value.asText());
        if (n <= 0) {
            problemAt(field, "must be a positive integer, got '" + value.asText() + "'");
            return fallback;
        }
        return n;
    }

    int positiveIntOrZero(String field) {
        JsonNode value = isObject() ? node.get(field) : null;
        if (value == null || !value.isIntegralNumber() || value.intValue() < 0) {
            problemAt(field, "must be 0 (the trust domain) or a path segment number (1 = first after the trust domain)");
            return 0;
        }
        return value.intValue();
    }

    Duration duration(String field, Duration fallback) {
        JsonNode value = isObject() ? node.get(field) : null;
        if (value == null || value.isNull()) {
            return fallback;
        }
        Matcher m = DURATION.matcher(value.asText().trim());
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            problemAt(field, "must be a positive duration such as 500ms, 30s, 2m or 1h, got '" + value.asText() + "'");
            return fallback;
        }
        long amount = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
    }

    /** A non-negative amount of US dollars (a YAML number such as 0.25), as micro-USD. */
    long usdMicros(String field, long fallback) {
        JsonNode value = isObject() ? node.get(field) : null;
        if (value == null || value.isNull()) {
            return fallback;
        }
        java.math.BigDecimal usd;
        try {
            usd = value.isNumber() ? value.decimalValue() : new java.math.BigDecimal(value.asText().trim());
        } catch (NumberFormatException e) {
            usd = null;
        }
        if (usd == null || usd.signum() < 0) {
            problemAt(field, "must be an amount of US dollars such as 0.25, got '" + value.asText() + "'");
            return fallback;
        }
        return dev.tollgate.policy.budget.Usd.micros(usd);
    }

    /** The field names of a mapping, in file order. */
    /** The node as it is (for values handed on whole, such as a check's arguments); null when absent. */
    JsonNode json() {
        return node;
    }

    List<String> fieldNames() {
        List<String> names = new ArrayList<>();
        if (isObject()) {
            node.fieldNames().forEachRemaining(names::add);
        }
        return names;
    }

    long byteSize(String field, long fallback) {
        JsonNode value = isObject() ? node.get(field) : null;
        if (value == null || value.isNull()) {
            return fallback;
        }
        Matcher m = SIZE.matcher(value.asText().trim());
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            problemAt(field, "must be a positive size such as 65536, 64KiB or 4MiB, got '" + value.asText() + "'");
            return fallback;
        }
        long amount = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT);
        return switch (unit) {
            case "KIB", "KB" -> amount * 1024;
            case "MIB", "MB" -> amount * 1024 * 1024;
            case "GIB", "GB" -> amount * 1024 * 1024 * 1024;
            default -> amount;
        };
    }

    void problemAt(String field, String message) {
        String p = field.isEmpty() ? pointer : pointer + "/" + field;
        problems.add(new ConfigProblem(file, doc.lineOf(p), Problems.dotted(p), message));
    }

    void problem(String message) {
        problemAt("", message);
    }

    private static int parseIntOrMinus(String text) {
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
