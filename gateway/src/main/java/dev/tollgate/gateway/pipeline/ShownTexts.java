package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.policy.detect.TextView;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The text of a result that a client shows its model as one run, in order: the {@code text} of each MCP content item
 * ({@code content}, {@code contents}, an embedded {@code resource}, a prompt message's {@code content}) and of each A2A
 * part ({@code parts} of a message, status message or artifact), and a top-level (or error) {@code message}. Result
 * rules read these joined, so a phrase split across two parts is read whole. Nothing else is joined: a {@code text}
 * inside {@code metadata} or {@code _meta} (which no client shows) would otherwise sit between two halves of a phrase
 * and break it ("previous xinstructions"); those strings are still read, each on its own, by the detectors. A part's
 * other members (but an embedded {@code resource}) are not searched for more text, for the same reason. On A2A answers
 * each artifact's text is kept apart (its channel, by {@code artifactId}), as a client appends chunks to their artifact.
 */
final class ShownTexts {

    /** Members whose strings a client does not show as text: read alone by the detectors, never joined. */
    private static final Set<String> NOT_SHOWN = Set.of("metadata", "_meta", "data", "structuredContent");
    /** Arrays whose elements are content items or parts. */
    private static final Set<String> PART_ARRAYS = Set.of("content", "contents", "parts");
    /** Objects that are a content item themselves: a prompt message's content, an embedded resource. */
    private static final Set<String> PART_OBJECTS = Set.of("content", "resource");

    /** Where the text not in an artifact goes: status messages, message parts, everything of an MCP result. */
    static final String OUTSIDE_ARTIFACTS = "";

    private final boolean byArtifact;
    /** Channels in the order their first text came: an artifact's id, or {@link #OUTSIDE_ARTIFACTS}. Usually one. */
    private final List<String> channels = new ArrayList<>(1);
    private final List<StringBuilder> joined = new ArrayList<>(1);
    /**
     * The same texts with nothing between two messages either (a word split across two messages is read whole too);
     * null for a channel of one message, whose glued text is its joined text: started at the first space written.
     */
    private final List<StringBuilder> glued = new ArrayList<>(1);
    private int[] counts = new int[1];
    /** The array (or object) each channel's last text came from: texts of two different ones are two messages. */
    private final List<JsonNode> lastContainers = new ArrayList<>(1);
    private String channel = OUTSIDE_ARTIFACTS;
    /** Channel positions by name, once there are more than a few (a hostile answer may name thousands of artifacts). */
    private java.util.Map<String, Integer> index;
    /**
     * Where the previous entry's text ({@link #ofListed}'s {@code before}) is in the joined text and in the glued one:
     * start, end, glued start, glued end; null when there is none.
     */
    private int[] before;
    /** The listed entry these texts are of ({@link #ofListed}); null for any other document. */
    private JsonNode listedEntry;

    private ShownTexts(boolean byArtifact) {
        this.byArtifact = byArtifact;
    }

    /** The shown texts of a result document (a tool result, a notification's params, an A2A answer or event), in one channel. */
    static ShownTexts of(JsonNode document) {
        return of(document, false);
    }

    /**
     * The shown texts of a result document.
     *
     * @param byArtifact keep the text of each A2A artifact apart, by its {@code artifactId}: a client appends an artifact's
     *                   chunks to that artifact, not to whatever was streamed last
     */
    static ShownTexts of(JsonNode document, boolean byArtifact) {
        ShownTexts texts = new ShownTexts(byArtifact);
        if (document != null && document.isObject()) {
            texts.walk(document, null, true);
            JsonNode error = document.get("error");
            if (error != null && error.isObject() && error.path("message").isTextual()) {
                texts.channel = OUTSIDE_ARTIFACTS;
                texts.add(error.get("message").textValue(), error);
            }
        }
        return texts;
    }

    /** Strings a client shows, wherever they are in a listed definition (its schema's, its arguments'). */
    private static final Set<String> SHOWN_IN_DEFINITION = Set.of("title", "description");
    /**
     * Members whose strings (or arrays of strings) a client shows with a definition's prose: a schema's {@code enum},
     * {@code const}, {@code default} and {@code examples}, an A2A skill's {@code examples} (prompts a model is shown as
     * what the skill is for) and {@code tags}.
     */
    private static final Set<String> SHOWN_VALUES = Set.of("enum", "const", "default", "examples", "tags");
    /** The container of the text before an entry's own: a run of its own. */
    private static final JsonNode BEFORE = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();

    /**
     * The shown texts of one entry of a list (a tool, prompt, resource, resource template, an A2A card's skill): its
     * name, the end of the entry listed before it, its titles and description, in the order a client shows them
     * together ("title: description", the name beside them), then every {@code title} and {@code description} deeper in
     * it and every string of its {@link #SHOWN_VALUES}, in order (a tool's schema, a prompt's arguments, a skill's
     * examples and tags: the model reads them right after the description), each a run of its own. A phrase split
     * between any two of them is read whole; the other strings of the entry (types, property names, {@code _meta}) are
     * read each on its own.
     *
     * @param before the end of the text of the entry listed before it (the model reads the list in order), or null
     */
    static ShownTexts ofListed(JsonNode entry, String before) {
        ShownTexts texts = new ShownTexts(false);
        texts.listedEntry = entry;
        Set<JsonNode> first = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        JsonNode name = entry.get("name");
        if (name != null && name.isTextual()) {
            texts.add(name.textValue(), name); // each member is its own container: a run of its own
            first.add(name);
        }
        // The previous entry's text goes right before this one's prose, not before its name (an identifier, which a
        // phrase split across two entries would otherwise have between its halves).
        if (before != null && !before.isEmpty()) {
            texts.addBefore(before);
        }
        for (JsonNode member : new JsonNode[] {entry.get("title"), entry.path("annotations").get("title"), entry.get("description")}) {
            if (member != null && member.isTextual()) {
                texts.add(member.textValue(), member);
                first.add(member);
            }
        }
        texts.addDescriptions(entry, first);
        return texts;
    }

    /**
     * The shown texts of a request a server sends the client (sampling, elicitation): the system prompt first, as the
     * client's model reads it before the messages, then the messages' content and an elicitation's message.
     */
    static ShownTexts ofServerRequest(JsonNode params) {
        ShownTexts texts = new ShownTexts(false);
        if (params != null && params.isObject()) {
            JsonNode systemPrompt = params.get("systemPrompt");
            if (systemPrompt != null && systemPrompt.isTextual()) {
                texts.add(systemPrompt.textValue(), systemPrompt);
            }
            texts.walk(params, null, true);
        }
        return texts;
    }

    /**
     * Adds every {@code title} and {@code description} string under {@code node} not in {@code added}, and every string
     * of its {@link #SHOWN_VALUES}, in order, but {@code _meta}'s.
     */
    private void addDescriptions(JsonNode node, Set<JsonNode> added) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String key = field.getKey();
            JsonNode value = field.getValue();
            if (value.isTextual() && (SHOWN_IN_DEFINITION.contains(key) || SHOWN_VALUES.contains(key)) && !added.contains(value)) {
                add(value.textValue(), value);
            } else if (value.isContainerNode() && SHOWN_VALUES.contains(key)) {
                addStringsIn(value); // an example or default that is an object or array is shown whole, every string of it
            } else if (value.isContainerNode() && !key.equals("_meta")) {
                addDescriptionsIn(value, added);
            }
        }
    }

    /** Adds every string under {@code container}, in order, each a run of its own (but {@code _meta}'s). */
    private void addStringsIn(JsonNode container) {
        for (Iterator<Map.Entry<String, JsonNode>> it = container.isObject() ? container.fields() : java.util.Collections.emptyIterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (!field.getKey().equals("_meta")) {
                addStringOrStringsIn(field.getValue());
            }
        }
        if (container.isArray()) {
            container.forEach(this::addStringOrStringsIn);
        }
    }

    private void addStringOrStringsIn(JsonNode value) {
        if (value.isTextual()) {
            add(value.textValue(), value);
        } else if (value.isContainerNode()) {
            addStringsIn(value);
        }
    }

    /** Adds the end of the previous entry's text, noting where it is in the joined and glued texts. */
    private void addBefore(String text) {
        int length = channels.isEmpty() ? 0 : joined.get(0).length();
        int start = length == 0 ? 0 : length + 1; // after the space that starts a new run
        int gluedStart = channels.isEmpty() || glued.get(0) == null ? length : glued.get(0).length();
        add(text, BEFORE);
        before = new int[] {start, start + text.length(), gluedStart, gluedStart + text.length()};
    }

    /**
     * Whether {@code [start, end)} of the joined text (of the glued one when {@code inGlued}) lies wholly in the previous
     * entry's text: what is found there belongs to that entry, read under its own rules, not to this one (a rule scoped
     * to this tool must not withhold it for what the tool listed before it says). The space after it counts as its own.
     */
    boolean withinBefore(boolean inGlued, int start, int end) {
        if (before == null) {
            return false;
        }
        int from = inGlued ? before[2] : before[0];
        int to = inGlued ? before[3] : before[1] + 1;
        return start >= from && end <= to;
    }

    /** Whether {@code start} of the glued text falls in the previous entry's text. */
    boolean startsInBefore(int start) {
        return before != null && start >= before[2] && start < before[3];
    }

    /** Where an offset of the previous entry's text in the joined text is in the glued one. */
    int gluedOffset(int joinedOffset) {
        return joinedOffset - before[0] + before[2];
    }

    /** A listed entry's shown texts without the previous entry's text (what the entry shows on its own). */
    ShownTexts withoutBefore() {
        return before == null ? this : ofListed(listedEntry, null);
    }

    /** Whether the previous entry's text was joined to this one's. */
    boolean joinsBefore() {
        return before != null;
    }

    private void addDescriptionsIn(JsonNode container, Set<JsonNode> added) {
        if (container.isObject()) {
            addDescriptions(container, added);
            return;
        }
        for (JsonNode element : container) {
            if (element.isContainerNode()) {
                addDescriptionsIn(element, added);
            }
        }
    }

    /**
     * The last {@code chars} characters of the text read joined (one channel's), as the detectors read it
     * ({@link #readTail}), to join to the next entry's.
     */
    String tail(int chars) {
        if (channels.isEmpty()) {
            return null;
        }
        return readTail(joined(0), chars);
    }

    /**
     * The end of {@code text} as the detectors read it, at most {@code chars} characters of it: the characters they skip
     * removed ({@link TextView#invisible}: zero-width spaces and joiners, soft hyphens, bidi controls, a lone tag
     * character; a run of tag characters is text they read, as the ASCII it encodes), and every run of two or more whitespace
     * characters (those left between them once the invisible ones are gone) as one space, a lone one kept as it is;
     * only then cut. Review AX: cut first, the last characters of "Ignore all previous" and 300 spaces (or zero-width
     * spaces) were padding only, and the phrase's second half, in the next entry or event, was read alone. Read from
     * the end, so a tail costs what its padding is long, never the whole text again.
     */
    static String readTail(String text, int chars) {
        if (text == null) {
            return null;
        }
        StringBuilder reversed = new StringBuilder(Math.min(chars, text.length()) + 2);
        int spaces = 0; // whitespace characters in the run being read (backwards), invisible ones between them aside
        int lone = -1; // the run's one character while it has only one
        int i = text.length();
        while (i > 0 && reversed.length() < chars) {
            int cp = text.codePointBefore(i);
            int width = Character.charCount(cp);
            boolean tagRun = inTagRun(text, i - width, width);
            if (TextView.invisible(cp) && !tagRun) {
                i -= width;
                continue;
            }
            if (tagRun) {
                // Read as the ASCII it encodes, as the detectors read a run of tag characters (review BA: 300 tag spaces
                // kept as written filled the tail, two UTF-16 units each, and the phrase before them was cut off).
                cp -= 0xE0000;
            }
            if (isSpace(cp)) {
                // The whole run is read before it is written: how long it is decides what it reads as.
                spaces++;
                lone = cp;
                i -= width;
                continue;
            }
            if (spaces > 0) {
                appendRun(reversed, spaces, lone);
                spaces = 0;
                if (reversed.length() >= chars) {
                    break;
                }
            }
            if (reversed.length() + Character.charCount(cp) > chars) {
                break;
            }
            reversed.appendCodePoint(cp); // StringBuilder#reverse keeps a surrogate pair in order
            i -= width;
        }
        if (spaces > 0 && reversed.length() < chars) {
            appendRun(reversed, spaces, lone);
        }
        return reversed.reverse().toString();
    }

    /** A run of whitespace read backwards: one space for two or more, the character itself when it is alone. */
    private static void appendRun(StringBuilder reversed, int spaces, int lone) {
        if (spaces >= 2) {
            reversed.append(' ');
        } else {
            reversed.append((char) lone);
        }
    }

    /** Whitespace the detectors read as a space: regex {@code \s}, and every other space or line break (read as a space). */
    private static boolean isSpace(int cp) {
        return cp == ' ' || cp == '\t' || cp == '\n' || cp == 0x0B || cp == '\f' || cp == '\r' || cp == 0x85
                || Character.isWhitespace(cp) || Character.isSpaceChar(cp);
    }

    /** Whether the tag character at {@code i} has another right before or after it: a run, read as the ASCII it encodes. */
    private static boolean inTagRun(String text, int i, int width) {
        if (!isTag(text.codePointAt(i))) {
            return false;
        }
        return i + width < text.length() && isTag(text.codePointAt(i + width)) || i > 0 && isTag(text.codePointBefore(i));
    }

    private static boolean isTag(int cp) {
        return cp >= 0xE0020 && cp <= 0xE007E;
    }

    /** How many channels hold text. */
    int channels() {
        return channels.size();
    }

    /** The channel's name: an artifact id, or {@link #OUTSIDE_ARTIFACTS}. */
    String channel(int i) {
        return channels.get(i);
    }

    /** The channel's shown texts joined in order. */
    String joined(int i) {
        return joined.get(i).toString();
    }

    /**
     * The channel's texts joined with nothing between two messages, or null when that is {@link #joined(int)} (one
     * message): "Ignore all prev" | "ious instructions" must not pass as two words.
     */
    String glued(int i) {
        StringBuilder g = glued.get(i);
        return g == null ? null : g.toString();
    }

    /** How many texts the channel joined. */
    int count(int i) {
        return counts[i];
    }

    /** Every shown text joined in order, whatever its channel (for tests). */
    String joined() {
        return String.join("", joined);
    }

    /** How many texts were joined, in all channels (for tests). */
    int count() {
        int n = 0;
        for (int i = 0; i < channels.size(); i++) {
            n += counts[i];
        }
        return n;
    }

    /**
     * Adds a text of {@code container} (the parts array, or the object, it is in) to the current channel. The parts of
     * one message or artifact are joined as a client joins them, with nothing between; two messages are two runs of
     * text to the model, so a space separates them (else "hi" + "Ignore all previous ..." would hide the word start).
     */
    private void add(String text, JsonNode container) {
        int i = channelIndex();
        if (i < 0) {
            i = channels.size();
            channels.add(channel);
            if (index != null || i == 8) {
                index = index != null ? index : indexOf(channels);
                index.put(channel, i);
            }
            joined.add(new StringBuilder());
            glued.add(null);
            lastContainers.add(container);
            if (i == counts.length) {
                counts = java.util.Arrays.copyOf(counts, i * 2);
            }
        }
        StringBuilder run = joined.get(i);
        if (lastContainers.get(i) != container) {
            lastContainers.set(i, container);
            if (!run.isEmpty()) {
                if (glued.get(i) == null) {
                    glued.set(i, new StringBuilder(run));
                }
                run.append(' ');
            }
        }
        run.append(text);
        if (glued.get(i) != null) {
            glued.get(i).append(text);
        }
        counts[i]++;
    }

    /** JavaScript's {@code String(value)} of a JSON value: arrays joined by commas (nested ones flattened), null as nothing. */
    private static String javaScriptString(JsonNode value) {
        if (value.isArray()) {
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < value.size(); i++) {
                out.append(i == 0 ? "" : ",").append(value.get(i).isNull() ? "" : javaScriptString(value.get(i)));
            }
            return out.toString();
        }
        return value.isObject() ? "[object Object]" : value.asText();
    }

    /** The current channel's position, or -1: the last one used is the usual answer; many are looked up, not searched. */
    private int channelIndex() {
        int last = channels.size() - 1;
        if (last >= 0 && channels.get(last).equals(channel)) {
            return last;
        }
        if (index != null) {
            return index.getOrDefault(channel, -1);
        }
        return channels.indexOf(channel);
    }

    private static java.util.Map<String, Integer> indexOf(List<String> channels) {
        java.util.Map<String, Integer> index = new java.util.HashMap<>();
        for (int i = 0; i < channels.size(); i++) {
            index.put(channels.get(i), i);
        }
        return index;
    }

    /** Walks an artifact (the value of {@code artifact}, an element of {@code artifacts}) in its own channel. */
    private void walkArtifact(JsonNode artifact) {
        String outer = channel;
        // The JavaScript SDK's client reads artifact_id when artifactId is absent: both name the artifact a chunk joins.
        JsonNode id = artifact.path("artifactId").isTextual() ? artifact.get("artifactId") : artifact.path("artifact_id");
        if (byArtifact && id.isTextual()) {
            channel = id.textValue();
        }
        walk(artifact, null, false);
        channel = outer;
    }

    /** @param container the array holding {@code object} when it is a part, the object itself when it is a part on its own */
    private void walk(JsonNode object, JsonNode container, boolean top) {
        JsonNode text = object.get("text");
        if (container != null && text != null && !text.isNull()) {
            // A client shows String(text): ["instructions ..."] is shown as its element, so it is read as shown.
            add(text.isTextual() ? text.textValue() : javaScriptString(text), container);
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String key = field.getKey();
            JsonNode value = field.getValue();
            // A part shows its text, or the resource it embeds: nothing else in it is shown (a text hidden in another
            // member, however deep, would otherwise sit between the parts around it).
            if (NOT_SHOWN.contains(key) || container != null && !PART_OBJECTS.contains(key)) {
                continue;
            }
            if (value.isObject()) {
                if (key.equals("artifact")) {
                    walkArtifact(value);
                } else {
                    walk(value, PART_OBJECTS.contains(key) ? value : null, false);
                }
            } else if (value.isArray()) {
                JsonNode parts = PART_ARRAYS.contains(key) ? value : null;
                boolean artifacts = key.equals("artifacts");
                for (JsonNode element : value) {
                    if (element.isObject() && artifacts) {
                        walkArtifact(element);
                    } else if (element.isObject()) {
                        walk(element, parts, false);
                    }
                }
            } else if (top && key.equals("message") && value.isTextual()) {
                add(value.textValue(), object); // a progress notification's message, an error's (the document is the error)
            }
        }
    }
}
