package dev.tollgate.policy.agt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * An AGT 5.0.0 rule's {@code dynamic_condition} (schema.py {@code DynamicCondition}, evaluated by
 * dynamic_conditions.py) as the native {@code time} condition that decides every instant alike, or the reason it
 * is refused. Shared by the loader and the importer so both read it alike. Pure: no I/O, no clock.
 *
 * <p>AGT's rule matches when its condition and its dynamic condition hold. {@code time_window} is
 * {@code start <= minute-of-day < end} in the zone (wrapping midnight when start > end, never when start == end),
 * on the ISO days listed (checked on the local day at the moment of the call); {@code day_of_week} is the days
 * alone. Native {@code time} compares the same way: both ends are whole minutes, so comparing the instant's
 * nanosecond of day is comparing its minute. What AGT would only find at run time (an unknown zone, a bad HH:MM,
 * both making the rule silently never match) and the shapes pydantic refuses are refused here, as load errors.
 */
public final class AgtDynamicCondition {

    private static final Set<String> FIELDS = Set.of("type", "timezone", "start_time", "end_time", "days_of_week", "window", "limit");
    private static final List<String> TYPES = List.of("time_window", "day_of_week", "token_count_per_window", "cost_per_window");
    private static final List<String> BUDGET_TYPES = List.of("token_count_per_window", "cost_per_window");

    /**
     * Whether a dynamic condition is a budget window AGT loads (a window and a limit given): one the gateway cannot
     * enforce, as the amounts come from AGT's host. The importer writes a deny rule with such a window without it (it then
     * denies whenever its condition holds: more than AGT, never less).
     */
    public static boolean isBudgetWindow(JsonNode dynamic) {
        return dynamic != null && dynamic.isObject() && dynamic.path("type").isTextual() && BUDGET_TYPES.contains(dynamic.get("type").textValue())
                && dynamic.hasNonNull("window") && dynamic.hasNonNull("limit");
    }
    private static final String[] DAY_NAMES = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    private static final int MINUTES_PER_HOUR = 60;
    private static final int HOURS_PER_DAY = 24;

    private AgtDynamicCondition() {
    }

    /** What a dynamic condition becomes. */
    public sealed interface Result permits Time, Refused {
    }

    /** The native {@code time} condition's body ({@code {after, before?, zone, days?}}), with warnings for the author. */
    public record Time(ObjectNode time, List<String> warnings) implements Result {
    }

    /** Refused: {@code pointer} is relative to the dynamic_condition ("" for the whole of it). */
    public record Refused(String pointer, String message) implements Result {
    }

    /** @param dynamic the rule's {@code dynamic_condition}, neither absent nor null (null is "none" in AGT too) */
    public static Result translate(JsonNode dynamic) {
        if (!dynamic.isObject()) {
            return new Refused("", "dynamic_condition is a mapping with type (" + String.join(", ", TYPES) + "); AGT refuses this rule too");
        }
        for (Iterator<String> it = dynamic.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!FIELDS.contains(field)) {
                // pydantic ignores it; a misspelt days_of_week would silently widen when the rule holds.
                return new Refused("/" + field, "unknown dynamic_condition field (expected " + String.join(", ", new TreeSet<>(FIELDS)) + ")");
            }
        }
        for (String field : List.of("type", "timezone", "start_time", "end_time", "window")) {
            JsonNode v = dynamic.get(field);
            if (v != null && !v.isNull() && !v.isTextual()) {
                return new Refused("/" + field, field + " is a string (AGT refuses this rule too), got '" + v.asText()
                        + "'" + ("start_time".equals(field) || "end_time".equals(field) ? ": quote it (\"17:00\"; YAML 1.1 reads 17:00 as the number 1020)" : ""));
            }
        }
        JsonNode type = dynamic.get("type");
        if (type == null || type.isNull() || !TYPES.contains(type.textValue())) {
            return new Refused("/type", "type is one of " + String.join(", ", TYPES) + " (AGT refuses this rule too)"
                    + (type == null || type.isNull() ? "" : ", got '" + type.asText() + "'"));
        }
        return switch (type.textValue()) {
            case "time_window" -> timeWindow(dynamic);
            case "day_of_week" -> dayOfWeek(dynamic);
            default -> new Refused("/type", type.textValue() + " adds up amounts AGT's host passes with each call (dynamic_context.budget),"
                    + " which a gateway never sees; the rule is refused rather than enforced on nothing: write the limit as a native"
                    + " budget or rate_limit check (policy README, \"budget and rate_limit\")");
        };
    }

    private static Result timeWindow(JsonNode d) {
        Result misplaced = only(d, "time_window", Set.of("type", "timezone", "start_time", "end_time", "days_of_week"));
        if (misplaced != null) {
            return misplaced;
        }
        if (!d.hasNonNull("start_time") || !d.hasNonNull("end_time")) {
            return new Refused("", "time_window requires start_time and end_time (AGT refuses this rule too)");
        }
        List<String> warnings = new ArrayList<>();
        ObjectNode time = Nodes.F.objectNode();
        for (String[] end : new String[][] {{"start_time", "after"}, {"end_time", "before"}}) {
            Integer minutes = minuteOfDay(d.get(end[0]).textValue());
            if (minutes == null) {
                // AGT's _parse_hhmm raises at each call and the rule never matches.
                return new Refused("/" + end[0], end[0] + " is HH:MM, 00:00 to 23:59, got '" + d.get(end[0]).textValue()
                        + "' (AGT loads it and the rule never matches)");
            }
            time.put(end[1], String.format("%02d:%02d", minutes / MINUTES_PER_HOUR, minutes % MINUTES_PER_HOUR));
        }
        if (time.get("after").textValue().equals(time.get("before").textValue())) {
            warnings.add("start_time equals end_time: AGT's window is then empty and the rule never matches (not the whole day)");
        }
        Refused zone = zone(d, time);
        if (zone != null) {
            return zone;
        }
        JsonNode days = d.get("days_of_week");
        if (days != null && !days.isNull()) {
            Refused refused = days(days, time);
            if (refused != null) {
                return refused;
            }
            if (days.isEmpty()) {
                warnings.add("days_of_week is empty: AGT reads it as every day");
            }
        }
        return new Time(time, List.copyOf(warnings));
    }

    private static Result dayOfWeek(JsonNode d) {
        Result misplaced = only(d, "day_of_week", Set.of("type", "timezone", "days_of_week"));
        if (misplaced != null) {
            return misplaced;
        }
        JsonNode days = d.get("days_of_week");
        if (days == null || days.isNull() || (days.isArray() && days.isEmpty())) {
            return new Refused("", "day_of_week requires days_of_week (AGT refuses this rule too)");
        }
        ObjectNode time = Nodes.F.objectNode();
        Refused refused = zone(d, time);
        if (refused == null) {
            refused = days(days, time);
        }
        return refused != null ? refused : new Time(time, List.of());
    }

    /** Fields another type reads: AGT ignores them here, so a rule written with them would hold more often than it reads. */
    private static Refused only(JsonNode d, String type, Set<String> read) {
        for (Iterator<String> it = d.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!read.contains(field) && !d.get(field).isNull()) {
                return new Refused("/" + field, field + " is not read by " + type + " (AGT ignores it, so the rule would hold"
                        + " whatever it says); remove it or change the type");
            }
        }
        return null;
    }

    /**
     * As AGT: absent, null or "" is UTC, "UTC" in any case is UTC, anything else a zone ZoneInfo must find. Only IANA
     * region ids Java knows too are kept: an offset ("+02:00"), "UTC+1" or an unknown id makes ZoneInfo raise at each
     * call and AGT's rule never match, so they are refused.
     */
    private static Refused zone(JsonNode d, ObjectNode time) {
        JsonNode tz = d.get("timezone");
        String name = tz == null || tz.isNull() ? "" : tz.textValue();
        if (name.isEmpty() || name.equalsIgnoreCase("UTC")) {
            time.put("zone", "UTC");
            return null;
        }
        // Java still lists SystemV/* ids that Python's tz database dropped (review AK: ZoneInfo("SystemV/EST5") raises, so
        // AGT's rule never matched, while Java read a fixed UTC-5 and the windowed allow allowed).
        if (!java.time.ZoneId.getAvailableZoneIds().contains(name) || name.startsWith("SystemV/")) {
            return new Refused("/timezone", "unknown time zone '" + name + "': an IANA zone id such as Europe/Paris or UTC"
                    + " (offsets are not zones; AGT loads it and the rule never matches)");
        }
        time.put("zone", name);
        return null;
    }

    /** ISO day numbers as pydantic's lax int reads them (1, "1", 1.0), each 1 (Monday) to 7 (Sunday). */
    private static Refused days(JsonNode days, ObjectNode time) {
        if (!days.isArray()) {
            return new Refused("/days_of_week", "days_of_week is a list of ISO day numbers, 1 (Monday) to 7 (Sunday)"
                    + " (AGT refuses this rule too)");
        }
        ArrayNode out = Nodes.F.arrayNode();
        for (int i = 0; i < days.size(); i++) {
            JsonNode day = days.get(i);
            Integer n = day.isBoolean() ? null : AgtPriority.of(day);
            if (day.isNull() || n == null || n < 1 || n > DAY_NAMES.length) {
                // Out of range, AGT loads it and the day never comes.
                return new Refused("/days_of_week/" + i, "days are ISO day numbers, 1 (Monday) to 7 (Sunday), got '" + day.asText() + "'");
            }
            out.add(DAY_NAMES[n - 1]);
        }
        if (!out.isEmpty()) {
            time.set("days", out);
        }
        return null;
    }

    /** AGT's _parse_hhmm: two parts split at ':', each read by Python's int(); null where it raises or is out of range. */
    static Integer minuteOfDay(String text) {
        String[] parts = text.split(":", -1);
        if (parts.length != 2) {
            return null;
        }
        Integer hour = pythonInt(parts[0]);
        Integer minute = pythonInt(parts[1]);
        if (hour == null || minute == null || hour < 0 || hour >= HOURS_PER_DAY || minute < 0 || minute >= MINUTES_PER_HOUR) {
            return null;
        }
        return hour * MINUTES_PER_HOUR + minute;
    }

    /**
     * Python's {@code int(str)}: surrounding whitespace, a sign, decimal digits of any script, single underscores between
     * digits; null when Python raises. Values past 9 digits are returned as a large number (out of any range here).
     */
    static Integer pythonInt(String s) {
        int from = 0;
        int to = s.length();
        while (from < to && isPythonSpace(s.charAt(from))) {
            from++;
        }
        while (to > from && isPythonSpace(s.charAt(to - 1))) {
            to--;
        }
        boolean negative = false;
        if (from < to && (s.charAt(from) == '+' || s.charAt(from) == '-')) {
            negative = s.charAt(from) == '-';
            from++;
        }
        long value = 0;
        boolean lastDigit = false;
        int digits = 0;
        for (int i = from; i < to; ) {
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            if (c == '_' && lastDigit && i < to) {
                lastDigit = false;
                continue;
            }
            if (Character.getType(c) != Character.DECIMAL_DIGIT_NUMBER) {
                return null;
            }
            value = Math.min(value * 10 + Character.digit(c, 10), Integer.MAX_VALUE);
            lastDigit = true;
            digits++;
        }
        if (digits == 0 || !lastDigit) {
            return null;
        }
        return (int) (negative ? -value : value);
    }

    /** str.isspace() for the characters int() strips. */
    private static boolean isPythonSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085' || (c >= '\u001c' && c <= '\u001f');
    }
}
