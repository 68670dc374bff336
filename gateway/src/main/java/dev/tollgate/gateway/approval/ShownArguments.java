package dev.tollgate.gateway.approval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;

/**
 * What an approver is shown of a held call's (redacted) arguments: every member, with long strings, long arrays and
 * objects, and deep nesting cut, each cut marked in place with what it hid ({@code "…[cut: 70000 chars in all]"}),
 * within one budget. The agent chooses its arguments' size, so the view is never all or nothing: padding one value
 * shortens that value, it does not hide the others. The cuts are tried from none to stingy, the same for every value,
 * so that one long value cannot take the whole budget from the rest; only past the last step is the budget spent in
 * order. The view is a new tree of bounded size: it is what an approval keeps (held and in history), not the call's.
 *
 * <p>Good use: the approver's webhook and listings show {@link #arguments()} and say whether {@link #complete()}.
 * Bad use: treating a cut view as the call; the call forwarded is the agent's, whole.
 *
 * @param arguments the view; null when the call has no arguments
 * @param complete  whether the view is the arguments themselves, nothing cut
 */
public record ShownArguments(JsonNode arguments, boolean complete) {

    /** The view's size, counted as its compact JSON (keys, values, punctuation), in chars. */
    public static final int MAX_SHOWN_CHARS = 16 * 1024;
    /** The view's nodes (values, arrays, objects): bounds the heap an approval keeps, however small each one is. */
    public static final int MAX_SHOWN_NODES = 1024;
    /** Budget the last step keeps back for the markers of what it leaves out. */
    private static final int MARKER_ROOM = 256;
    /** Ends every cut string, so a cut value never reads as whole. */
    static final String CUT = "…[cut: ";

    /**
     * The cuts tried, from none to stingy: longest string (and member name), most items per array or object, deepest
     * level. Strings are cut before members are left out, so every member keeps a place for as long as it can.
     */
    private static final Cuts[] STEPS = {
        new Cuts(Integer.MAX_VALUE, Integer.MAX_VALUE, 64),
        new Cuts(1024, 1024, 16),
        new Cuts(256, 1024, 16),
        new Cuts(64, 1024, 8),
        new Cuts(32, 256, 8),
        new Cuts(16, 64, 4),
        new Cuts(16, 32, 3),
    };

    /** The view of some arguments (already redacted). */
    public static ShownArguments of(JsonNode arguments) {
        if (arguments == null) {
            return new ShownArguments(null, true);
        }
        for (int i = 0; ; i++) {
            boolean last = i == STEPS.length - 1;
            View view = new View(STEPS[i], last);
            JsonNode shown = view.copy(arguments, 0);
            // The last step stops adding at the budget and marks the rest: its view stands, a few markers over at most.
            if (last || !view.over()) {
                return new ShownArguments(shown, !view.cut);
            }
        }
    }

    private record Cuts(int stringChars, int items, int depth) {
    }

    /** One attempt at a view under one step's cuts; {@link #over()} when it outgrew the budget (then it stopped early). */
    private static final class View {

        private final Cuts cuts;
        /** The last step: spend what is left in order and mark the rest, rather than give up. */
        private final boolean last;
        private int chars;
        private int nodes;
        private boolean cut;

        View(Cuts cuts, boolean last) {
            this.cuts = cuts;
            this.last = last;
        }

        boolean over() {
            return chars > MAX_SHOWN_CHARS || nodes > MAX_SHOWN_NODES;
        }

        /** Whether the last step has no room for another member (a marker for the rest still goes in). */
        private boolean full() {
            return last && (chars >= MAX_SHOWN_CHARS - MARKER_ROOM || nodes >= MAX_SHOWN_NODES - 2);
        }

        JsonNode copy(JsonNode node, int depth) {
            nodes++;
            if (node.isTextual()) {
                String text = text(node.textValue());
                chars += text.length() + 2;
                return JsonNodeFactory.instance.textNode(text);
            }
            if (!node.isContainerNode()) {
                // A number may be long too (up to the parser's limit): cut, it is shown as a string saying so.
                String number = node.toString();
                String shown = text(number);
                chars += shown.length();
                return shown.equals(number) ? node.deepCopy() : JsonNodeFactory.instance.textNode(shown);
            }
            if (depth >= cuts.depth()) {
                cut = true;
                String hidden = "[cut: " + (node.isObject() ? "an object of " + count(node.size(), "member") : "an array of " + count(node.size(), "item")) + "]";
                chars += hidden.length() + 2;
                return JsonNodeFactory.instance.textNode(hidden);
            }
            chars += 2;
            return node.isObject() ? object(node, depth) : array(node, depth);
        }

        private ObjectNode object(JsonNode node, int depth) {
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            int shown = 0;
            for (Iterator<Map.Entry<String, JsonNode>> members = node.fields(); members.hasNext() && (last || !over()); shown++) {
                if (shown == cuts.items() || full()) {
                    cut = true;
                    String rest = "[cut: " + (node.size() - shown) + " more members, " + node.size() + " in all]";
                    chars += rest.length() + 8;
                    out.put(unique(out, "…"), rest);
                    break;
                }
                Map.Entry<String, JsonNode> member = members.next();
                String name = unique(out, text(member.getKey()));
                chars += name.length() + 4;
                out.set(name, copy(member.getValue(), depth + 1));
            }
            return out;
        }

        private ArrayNode array(JsonNode node, int depth) {
            ArrayNode out = JsonNodeFactory.instance.arrayNode();
            for (int i = 0; i < node.size() && (last || !over()); i++) {
                if (i == cuts.items() || full()) {
                    cut = true;
                    String rest = CUT + (node.size() - i) + " more items, " + node.size() + " in all]";
                    chars += rest.length() + 3;
                    out.add(rest);
                    break;
                }
                chars += 1;
                out.add(copy(node.get(i), depth + 1));
            }
            return out;
        }

        /** A string (value or member name) as shown: whole, or its start and how long it was. */
        private String text(String value) {
            int room = last ? Math.min(cuts.stringChars(), Math.max(0, MAX_SHOWN_CHARS - MARKER_ROOM - chars)) : cuts.stringChars();
            if (value.length() <= room) {
                return value;
            }
            cut = true;
            int end = room > 0 && Character.isHighSurrogate(value.charAt(room - 1)) ? room - 1 : room;
            return value.substring(0, end) + CUT + value.length() + " chars in all]";
        }

        private static String count(int n, String what) {
            return n + " " + what + (n == 1 ? "" : "s");
        }

        /** A member name not yet in the view: a cut name may meet another's, and neither may vanish. */
        private static String unique(ObjectNode out, String name) {
            String candidate = name;
            for (int i = 2; out.has(candidate); i++) {
                candidate = name + " (" + i + ")";
            }
            return candidate;
        }
    }
}
