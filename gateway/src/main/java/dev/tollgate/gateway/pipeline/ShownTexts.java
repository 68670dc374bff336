package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * The text of a result that a client shows its model as one run, in order: the {@code text} of each MCP content item
 * ({@code content}, {@code contents}, an embedded {@code resource}, a prompt message's {@code content}) and of each A2A
 * part ({@code parts} of a message, status message or artifact), and a top-level (or error) {@code message}. Result
 * rules read these joined, so a phrase split across two parts is read whole. Nothing else is joined: a {@code text}
 * inside {@code metadata} or {@code _meta} (which no client shows) would otherwise sit between two halves of a phrase
 * and break it ("previous xinstructions"); those strings are still read, each on its own, by the detectors. A part's
 * other members are not searched for more text once its own {@code text} is taken, for the same reason.
 */
final class ShownTexts {

    /** Members whose strings a client does not show as text: read alone by the detectors, never joined. */
    private static final Set<String> NOT_SHOWN = Set.of("metadata", "_meta", "data", "structuredContent");
    /** Arrays whose elements are content items or parts. */
    private static final Set<String> PART_ARRAYS = Set.of("content", "contents", "parts");
    /** Objects that are a content item themselves: a prompt message's content, an embedded resource. */
    private static final Set<String> PART_OBJECTS = Set.of("content", "resource");

    private final StringBuilder joined = new StringBuilder();
    private int count;

    private ShownTexts() {
    }

    /** The shown texts of a result document (a tool result, a notification's params, an A2A answer or event). */
    static ShownTexts of(JsonNode document) {
        ShownTexts texts = new ShownTexts();
        if (document != null && document.isObject()) {
            texts.walk(document, false, true);
            JsonNode error = document.get("error");
            if (error != null && error.isObject() && error.path("message").isTextual()) {
                texts.add(error.get("message").textValue());
            }
        }
        return texts;
    }

    /** The shown texts joined in order. */
    String joined() {
        return joined.toString();
    }

    /** How many texts were joined. */
    int count() {
        return count;
    }

    private void add(String text) {
        joined.append(text);
        count++;
    }

    private void walk(JsonNode object, boolean part, boolean top) {
        if (part && object.path("text").isTextual()) {
            add(object.get("text").textValue());
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String key = field.getKey();
            JsonNode value = field.getValue();
            if (NOT_SHOWN.contains(key)) {
                continue;
            }
            if (value.isObject()) {
                walk(value, PART_OBJECTS.contains(key), false);
            } else if (value.isArray()) {
                boolean parts = PART_ARRAYS.contains(key);
                for (JsonNode element : value) {
                    if (element.isObject()) {
                        walk(element, parts, false);
                    }
                }
            } else if (top && key.equals("message") && value.isTextual()) {
                add(value.textValue()); // a progress notification's message, an error's (the document is the error)
            }
        }
    }
}
