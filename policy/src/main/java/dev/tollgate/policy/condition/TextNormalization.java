package dev.tollgate.policy.condition;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.text.Normalizer;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code normalize:} on an {@code arg} or {@code claim} condition: the spellings of one value a literal rule
 * would miss are brought to one form before the operator runs (and, for eq/ne/in/not_in/contains, so are the
 * rule's own operands), so {@code //etc/passwd}, {@code /tmp/../etc/passwd} and {@code /etc/./passwd} are all
 * {@code /etc/passwd}, and {@code GET-ENV} is {@code get-env}. Applied in a fixed order: nfkc, case, path.
 *
 * <ul>
 *   <li>{@code nfkc}: Unicode compatibility form, so full-width {@code ｅｔｃ} is {@code etc};
 *   <li>{@code case}: Unicode case folding (lower case after upper case, locale-independent);
 *   <li>{@code path}: {@code \} read as {@code /}, repeated slashes collapsed, {@code .} segments dropped,
 *       {@code ..} resolved (never above the root of an absolute path), a trailing slash dropped.
 * </ul>
 * Only text is normalized; numbers, booleans and nulls are left as they are.
 */
public final class TextNormalization {

    /** The forms, in the order they are applied. */
    public enum Form { NFKC, CASE, PATH }

    public static final TextNormalization NONE = new TextNormalization(EnumSet.noneOf(Form.class));
    public static final List<String> NAMES = List.of("nfkc", "case", "path");

    private final Set<Form> forms;

    private TextNormalization(Set<Form> forms) {
        this.forms = forms;
    }

    /** From the YAML value: one name or a list of them. */
    public static TextNormalization of(JsonNode spec) {
        EnumSet<Form> forms = EnumSet.noneOf(Form.class);
        if (spec.isTextual()) {
            forms.add(form(spec.textValue()));
        } else if (spec.isArray() && !spec.isEmpty()) {
            spec.forEach(s -> forms.add(form(s.isTextual() ? s.textValue() : "")));
        } else {
            throw new IllegalArgumentException("normalize is one of " + NAMES + " or a list of them");
        }
        return new TextNormalization(forms);
    }

    private static Form form(String name) {
        return switch (name) {
            case "nfkc" -> Form.NFKC;
            case "case" -> Form.CASE;
            case "path" -> Form.PATH;
            default -> throw new IllegalArgumentException("normalize takes " + NAMES + ", not '" + name + "'");
        };
    }

    public boolean isNone() {
        return forms.isEmpty();
    }

    public String apply(String text) {
        if (text == null || forms.isEmpty()) {
            return text;
        }
        String out = text;
        if (forms.contains(Form.NFKC)) {
            out = Normalizer.normalize(out, Normalizer.Form.NFKC);
        }
        if (forms.contains(Form.CASE)) {
            // Upper then lower: folds characters whose lower case alone would not meet (e.g. the Kelvin sign).
            out = out.toUpperCase(Locale.ROOT).toLowerCase(Locale.ROOT);
        }
        if (forms.contains(Form.PATH)) {
            out = path(out);
        }
        return out;
    }

    /** Text nodes normalized (also the text elements of a list); any other node as it is. */
    public JsonNode apply(JsonNode value) {
        if (value == null || forms.isEmpty()) {
            return value;
        }
        if (value.isTextual()) {
            return JsonNodeFactory.instance.textNode(apply(value.textValue()));
        }
        if (value.isArray()) {
            ArrayNode out = JsonNodeFactory.instance.arrayNode(value.size());
            value.forEach(v -> out.add(v.isTextual() ? JsonNodeFactory.instance.textNode(apply(v.textValue())) : v));
            return out;
        }
        return value;
    }

    static String path(String text) {
        String unified = text.replace('\\', '/');
        boolean absolute = unified.startsWith("/");
        Deque<String> segments = new ArrayDeque<>();
        for (String segment : unified.split("/")) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.equals("..")) {
                if (!segments.isEmpty() && !segments.peekLast().equals("..")) {
                    segments.removeLast();
                } else if (!absolute) {
                    segments.addLast("..");
                }
                continue;
            }
            segments.addLast(segment);
        }
        String joined = String.join("/", segments);
        return absolute ? "/" + joined : joined.isEmpty() ? "." : joined;
    }

    @Override
    public String toString() {
        return forms.isEmpty() ? "" : " (normalized: " + forms.toString().toLowerCase(Locale.ROOT) + ")";
    }
}
