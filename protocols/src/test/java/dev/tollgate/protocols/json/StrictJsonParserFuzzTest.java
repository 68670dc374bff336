package dev.tollgate.protocols.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;

/**
 * The strict JSON parser on arbitrary bytes: a tree or a {@link JsonRejection} with a reason, nothing else;
 * whatever it accepts is UTF-8 without a BOM, has no duplicate key (checked by a second, lenient reader that
 * records every key) and no lone surrogate, is nested no deeper than the limit, and re-serializes to text the
 * parser reads back as an equal tree. Seeds: {@code StrictJsonParserFuzzTestInputs/parsesOrRejectsWithAReason/}.
 */
class StrictJsonParserFuzzTest {

    private static final StrictJsonParser PARSER = new StrictJsonParser();
    private static final ObjectMapper WRITER = new ObjectMapper();
    /** No limits: it must see every key the strict parser saw, even in documents the strict one refuses for length. */
    private static final JsonFactory LENIENT = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(Integer.MAX_VALUE)
                    .maxNumberLength(Integer.MAX_VALUE).maxNameLength(Integer.MAX_VALUE).maxStringLength(Integer.MAX_VALUE).build())
            .build();

    @FuzzTest
    void parsesOrRejectsWithAReason(byte[] body) throws IOException {
        JsonNode tree;
        try {
            tree = PARSER.parse(body);
        } catch (JsonRejection e) {
            assertThat(e.reason()).isNotNull();
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        assertThat(tree).isNotNull();
        assertThat(isUtf8(body)).as("accepted bytes are UTF-8").isTrue();
        assertThat(body.length >= 3 && (body[0] & 0xFF) == 0xEF && (body[1] & 0xFF) == 0xBB && (body[2] & 0xFF) == 0xBF)
                .as("no byte order mark").isFalse();
        assertThat(hasDuplicateKey(body)).as("no object repeats a key").isFalse();
        assertThat(UnpairedSurrogates.anyIn(tree)).as("no lone surrogate").isFalse();
        assertThat(depth(tree)).as("nesting depth").isLessThanOrEqualTo(PARSER.maxNestingDepth());

        byte[] again = WRITER.writeValueAsBytes(tree);
        JsonNode reread;
        try {
            reread = PARSER.parse(again);
        } catch (JsonRejection e) {
            throw new AssertionError("re-serialized " + new String(again, StandardCharsets.UTF_8) + " refused: " + e.getMessage(), e);
        }
        assertThat(reread).as("re-serialized tree reads back equal").isEqualTo(tree);
    }

    static boolean isUtf8(byte[] body) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** An independent reading: a lenient streaming parser that records the keys of every open object. */
    static boolean hasDuplicateKey(byte[] body) throws IOException {
        Deque<Set<String>> open = new ArrayDeque<>();
        try (JsonParser p = LENIENT.createParser(body)) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                switch (t) {
                    case START_OBJECT -> open.push(new HashSet<>());
                    case END_OBJECT -> open.pop();
                    case FIELD_NAME -> {
                        if (!open.peek().add(p.currentName())) {
                            return true;
                        }
                    }
                    default -> {
                    }
                }
            }
        }
        return false;
    }

    static int depth(JsonNode node) {
        int deepest = 0;
        for (JsonNode child : node) {
            deepest = Math.max(deepest, depth(child));
        }
        return node.isContainerNode() ? deepest + 1 : 0;
    }
}
