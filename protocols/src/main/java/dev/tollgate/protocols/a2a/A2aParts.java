package dev.tollgate.protocols.a2a;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One message part summarized for policy (kind, size in bytes, media type, file name, URL, and the text of a file carried
 * inline as base64 or a {@code data:} URL, {@link InlineFileText}, {@link DataUrl}), read as the agent reads it.
 * The JavaScript SDK reads a 1.0 part by its first content member that is not null, in the order text, raw, url, data
 * ({@code {"text":null,"url":"..."}} is a URL part), and a 0.3 part by its {@code kind} alone
 * ({@code {"kind":"file","text":"hi","file":{...}}} is a file part). A part that could be read two ways is refused: more
 * than one content member, a {@code kind} other than the member it carries, a file with both bytes and a URI, or content
 * that is not a string (the SDK's {@code String(value)} of an array is a text or URL no rule saw).
 */
final class A2aParts {

    /** The 1.0 content members in the order the SDK tries them, then 0.3's {@code file}. */
    private static final List<String> CONTENT = List.of("text", "raw", "url", "data", "file");
    /** Part kinds use the 0.3 names: a 1.0 raw or url part is a file. */
    private static final Map<String, String> KIND_OF = Map.of("text", "text", "raw", "file", "url", "file", "data", "data", "file", "file");
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    /** A file part's member holding the text its inline content decodes to, when every reader decodes the same ({@link InlineFileText}). */
    static final String CONTENT_MEMBER = "content";

    private A2aParts() {
    }

    /** @param legacy a 0.3 call: the SDK's 0.3 layer reads the part (and unwraps a compat data part); 1.0 reads it as sent */
    static ObjectNode summary(JsonNode part, boolean legacy) throws A2aInvalidRequest {
        if (!part.isObject()) {
            throw new A2aInvalidRequest("each message part must be an object");
        }
        List<String> members = new ArrayList<>(1);
        for (String member : CONTENT) {
            if (part.hasNonNull(member)) {
                members.add(member);
            }
        }
        if (members.size() > 1) {
            throw new A2aInvalidRequest("a message part carries " + members + "; send one content member per part");
        }
        String content = members.isEmpty() ? null : members.get(0);
        String kind = content == null ? null : KIND_OF.get(content);
        JsonNode declared = part.get("kind");
        if (declared != null && !declared.isNull()) {
            // 0.3: the kind decides, so it must name the member the part carries (text, file or data).
            if (!declared.isTextual() || (content != null && !declared.textValue().equals(content))) {
                throw new A2aInvalidRequest("a part of kind " + declared + " carries " + (content == null ? "nothing" : content));
            }
            kind = declared.textValue();
        }
        ObjectNode out = F.objectNode();
        if ("text".equals(kind)) {
            out.put("kind", "text");
            String text = A2aFields.string(part, "text", null);
            out.put("size", text == null ? 0 : text.getBytes(StandardCharsets.UTF_8).length);
            putText(out, "text", text);
        } else if ("data".equals(kind)) {
            out.put("kind", "data");
            // Only the 0.3 layer unwraps (review L: a 1.0 part carrying kind and the flag was unwrapped by the gateway alone,
            // its data's other members, which the 1.0 agent reads, undecided).
            JsonNode data = legacy ? compatUnwrapped(part) : part.get("data");
            out.put("size", data == null ? 0 : data.toString().getBytes(StandardCharsets.UTF_8).length);
            putData(out, data);
        } else if ("file".equals(kind)) {
            out.put("kind", "file");
            file(part, out);
        } else {
            out.put("kind", kind == null ? "unknown" : kind);
            out.put("size", 0);
        }
        if (!out.has("mediaType")) {
            putText(out, "mediaType", A2aFields.string(part, "mediaType", "media_type"));
        }
        if (!out.has("filename")) {
            putText(out, "filename", A2aFields.string(part, "filename", null));
        }
        return out;
    }

    /**
     * A 0.3 data part's value as the JavaScript SDK's 0.3 layer hands it to the agent: flagged
     * {@code metadata.data_part_compat: true} (how it carries a 1.0 value that is not an object), an object's
     * {@code value} member is the value (review K: a rule on {@code /message/parts/0/data/action} read the wrapper while
     * the agent acted on the unwrapped {@code {"action": "delete"}}).
     */
    private static JsonNode compatUnwrapped(JsonNode part) {
        JsonNode data = part.get("data");
        boolean flagged = part.path("metadata").path("data_part_compat").isBoolean() && part.path("metadata").path("data_part_compat").booleanValue();
        return flagged && data != null && data.isObject() && data.has("value") ? data.get("value") : data;
    }

    /** The 0.3 proto part's content members, in the order the JavaScript SDK's proto reader tries them. */
    private static final List<String> PROTO_CONTENT = List.of("text", "file", "data");
    /** A 0.3 proto file's source members, in the order that reader tries them (camel and snake spellings). */
    private static final List<String> PROTO_FILE_SOURCES = List.of("fileWithUri", "file_with_uri", "fileWithBytes", "file_with_bytes");
    private static final java.util.Set<String> PROTO_URI_SOURCES = java.util.Set.of("fileWithUri", "file_with_uri");

    /**
     * A part of the 0.3 HTTP+JSON binding's proto JSON ({@code content} of a message): {@code {"text": "..."}},
     * {@code {"file": {"fileWithUri" | "fileWithBytes": ..., "mimeType": ...}}} or {@code {"data": {"data": {...}}}}.
     * Refused like {@link #summary}: more than one content member, a file with more than one source (the SDK reads the
     * first of uri then bytes, each in either spelling), content that is not a string or object as the reader needs it.
     */
    static ObjectNode protoSummary(JsonNode part) throws A2aInvalidRequest {
        if (!part.isObject()) {
            throw new A2aInvalidRequest("each message part must be an object");
        }
        List<String> members = new ArrayList<>(1);
        for (String member : PROTO_CONTENT) {
            if (part.hasNonNull(member)) {
                members.add(member);
            }
        }
        if (members.size() > 1) {
            throw new A2aInvalidRequest("a message part carries " + members + "; send one content member per part");
        }
        String content = members.isEmpty() ? null : members.get(0);
        ObjectNode out = F.objectNode();
        if ("text".equals(content)) {
            out.put("kind", "text");
            // An empty text is a text part saying nothing (the reader gives no string for it).
            String text = A2aFields.string(part, "text", null);
            out.put("size", text == null ? 0 : text.getBytes(StandardCharsets.UTF_8).length);
            putText(out, "text", text);
        } else if ("data".equals(content)) {
            JsonNode data = part.get("data");
            if (!data.isObject() || data.hasNonNull("data") && !data.get("data").isObject()) {
                throw new A2aInvalidRequest("a data part's data must be an object holding an object data");
            }
            out.put("kind", "data");
            out.put("size", data.path("data").toString().getBytes(StandardCharsets.UTF_8).length);
            // The proto's DataPart wraps the struct the agent reads: {data: {data: {...}}}.
            putData(out, data.get("data"));
        } else if ("file".equals(content)) {
            JsonNode file = part.get("file");
            if (!file.isObject()) {
                throw new A2aInvalidRequest("a file part's file must be an object");
            }
            List<String> sources = new ArrayList<>(1);
            for (String source : PROTO_FILE_SOURCES) {
                if (file.hasNonNull(source)) {
                    sources.add(source);
                }
            }
            if (sources.size() > 1) {
                throw new A2aInvalidRequest("a file carries " + sources + "; send one of them");
            }
            out.put("kind", "file");
            String source = sources.isEmpty() ? null : sources.get(0);
            String value = source == null ? null : A2aFields.string(file, source, null);
            boolean uri = PROTO_URI_SOURCES.contains(source);
            DataUrl data = uri && value != null ? DataUrl.of(value) : null;
            if (!uri) {
                requireCanonical(value);
            }
            out.put("size", data != null ? data.size() : value == null || uri ? 0 : base64Size(value));
            putText(out, "url", uri ? value : null);
            String mediaType = A2aFields.string(file, "mimeType", "mime_type");
            putText(out, "mediaType", mediaType);
            putText(out, CONTENT_MEMBER, data != null ? data.text(mediaType) : uri ? null : InlineFileText.of(value, mediaType));
        } else {
            out.put("kind", "unknown");
            out.put("size", 0);
        }
        return out;
    }

    /** A 1.0 raw or url part, or a 0.3 {@code file: {bytes | uri, mimeType, name}}. */
    private static void file(JsonNode part, ObjectNode out) throws A2aInvalidRequest {
        JsonNode file = part.get("file");
        if (file != null && !file.isNull() && !file.isObject()) {
            throw new A2aInvalidRequest("a file part's file must be an object");
        }
        boolean v03 = file != null && file.isObject();
        JsonNode source = v03 ? file : part;
        String bytes = A2aFields.string(source, v03 ? "bytes" : "raw", null);
        String url = A2aFields.string(source, v03 ? "uri" : "url", null);
        if (v03 && file.hasNonNull("bytes") && file.hasNonNull("uri")) {
            throw new A2aInvalidRequest("a file carries both bytes and a uri; send one of them");
        }
        requireCanonical(bytes);
        // A data: URL carries the file inline too: the agent resolving it reads its bytes (review AH).
        DataUrl data = url == null ? null : DataUrl.of(url);
        out.put("size", bytes != null ? base64Size(bytes) : data != null ? data.size() : 0);
        putText(out, "url", url);
        String mediaType = v03 ? A2aFields.string(file, "mimeType", null) : A2aFields.string(part, "mediaType", "media_type");
        if (v03) {
            putText(out, "mediaType", mediaType);
            putText(out, "filename", A2aFields.string(file, "name", null));
        }
        putText(out, CONTENT_MEMBER, data != null ? data.text(mediaType) : InlineFileText.of(bytes, mediaType));
    }

    /** An inline file's base64 must read as the same bytes to every decoder ({@link InlineFileText#canonical}). */
    private static void requireCanonical(String base64) throws A2aInvalidRequest {
        if (base64 != null && !InlineFileText.canonical(base64)) {
            throw new A2aInvalidRequest("a file's inline bytes are not canonical base64 (standard alphabet, padded, no line breaks"
                    + " or spare bits): agents' decoders read such bytes differently");
        }
    }

    private static long base64Size(String base64) {
        int padding = base64.endsWith("==") ? 2 : base64.endsWith("=") ? 1 : 0;
        return Math.max(0, (long) base64.length() * 3 / 4 - padding);
    }

    /** A data part's value as sent (the agent reads it as is), for rules on {@code /message/parts/N/data/...}. */
    private static void putData(ObjectNode out, JsonNode data) {
        if (data != null && !data.isNull()) {
            out.set("data", data);
        }
    }

    private static void putText(ObjectNode node, String field, String value) {
        if (value != null) {
            node.put(field, value);
        }
    }
}
