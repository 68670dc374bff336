package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.tollgate.gateway.approval.ApprovalRequest;

/**
 * The question put to the calling client's user ({@code ask-client}): the tool, the rule, and the held call's
 * arguments, the view approvers get (redacted as {@code telemetry.redact} says), written out as JSON. The user approves
 * a call, not a tool name: without its arguments, "Allow deploy?" answered yes would release whatever target the agent
 * chose. What the user reads must be what is forwarded, so every character a screen does not show as itself
 * (direction overrides, zero-width and other format characters, controls, private use) is written as its JSON escape;
 * and a call whose shown arguments had to be cut is not put to the user at all ({@link #canAsk}): its approvers, or its
 * timeout, decide.
 */
final class ApprovalQuestion {

    private static final ObjectWriter PRETTY = new ObjectMapper().writerWithDefaultPrettyPrinter();

    private ApprovalQuestion() {
    }

    /** Whether the user can be shown the whole call: nothing of its arguments was cut. */
    static boolean canAsk(ApprovalRequest request) {
        return !request.argumentsTruncated();
    }

    /** The elicitation's message. */
    static String text(ApprovalRequest request) {
        String tool = visible(TextNode.valueOf(request.tool() == null ? request.method() : request.tool()));
        // The tool's name is the agent's too: escaped as a JSON string is, shown between single quotes.
        return "Tollgate holds a call to '" + tool.substring(1, tool.length() - 1) + "'"
                + " for approval (rule '" + request.rule() + "'" + (request.message() == null ? "" : ": " + request.message()) + ").\n"
                + (request.arguments() == null ? "It has no arguments." : "Its arguments:\n" + visible(request.arguments())) + "\nAllow it?";
    }

    /**
     * A JSON value as text where every character that would not show as itself is escaped. Jackson escapes controls
     * below U+0020 inside strings, so the ones left in its output are its own line breaks; the rest can only be inside
     * strings, where a backslash-u escape is the same JSON.
     */
    static String visible(JsonNode value) {
        String json;
        try {
            json = PRETTY.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        StringBuilder out = new StringBuilder(json.length());
        json.codePoints().forEach(c -> {
            if (c >= 0x7f && hidden(c)) {
                // Escaped unit by unit: a supplementary character (the invisible tag characters) as its surrogate pair.
                for (char unit : Character.toChars(c)) {
                    out.append(String.format("\\u%04x", (int) unit));
                }
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }

    /** Whether a character does not show as itself on a screen (a lone surrogate included). */
    private static boolean hidden(int codePoint) {
        return switch (Character.getType(codePoint)) {
            case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR, Character.PRIVATE_USE,
                    Character.SURROGATE, Character.UNASSIGNED -> true;
            default -> ignorableMarkOrFiller(codePoint);
        };
    }

    /**
     * Unicode's default-ignorable characters that are not format characters (Cf, unassigned and private use are caught
     * above): they render as nothing, yet a model reads them. Variation selectors carry a byte each (review AD: an
     * instruction hidden after a harmless sentence, approved by a user who saw only the sentence). The Java regex
     * engine has no Default_Ignorable_Code_Point property, so the ranges are listed (DerivedCoreProperties.txt).
     */
    static boolean ignorableMarkOrFiller(int c) {
        return c == 0x034F || c == 0x115F || c == 0x1160 || c == 0x17B4 || c == 0x17B5 || (c >= 0x180B && c <= 0x180F)
                || c == 0x3164 || (c >= 0xFE00 && c <= 0xFE0F) || c == 0xFFA0 || (c >= 0xE0100 && c <= 0xE01EF);
    }
}
