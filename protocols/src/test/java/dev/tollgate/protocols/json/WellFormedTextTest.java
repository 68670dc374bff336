package dev.tollgate.protocols.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Review BR: text with an unpaired surrogate has no UTF-8 bytes of its own ("alice\uD800" would encode as "alice?"). */
class WellFormedTextTest {

    private static final List<String> LONE = List.of("\uD800", "\uDFFF", "alice\uD800", "alice\uDC00", "\uDC00\uD800", "a\uD83D", "\uDE00b",
            "\uD83D\uDE00\uD800", "\uD800\uD800\uDC00");
    private static final List<String> WELL_FORMED = List.of("", "alice", "alice?", "h\u00e9", "\u4e2d", "\uD83D\uDE00", "a\uD83D\uDE00b",
            "\uFFFD", "\uD800\uDC00\uDBFF\uDFFF");

    @Test
    void findsEveryUnpairedSurrogateAndNoPair() {
        LONE.forEach(text -> assertThat(WellFormedText.hasLoneSurrogate(text)).as(escape(text)).isTrue());
        WELL_FORMED.forEach(text -> assertThat(WellFormedText.hasLoneSurrogate(text)).as(escape(text)).isFalse());
    }

    @Test
    void utf8RefusesWhatGetBytesWouldWriteAsAnotherText() {
        assertThat("alice\uD800".getBytes(StandardCharsets.UTF_8)).as("why").isEqualTo("alice?".getBytes(StandardCharsets.UTF_8));
        LONE.forEach(text -> assertThatThrownBy(() -> WellFormedText.utf8(text, "the owner")).as(escape(text))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("the owner").hasMessageContaining("unpaired"));
        WELL_FORMED.forEach(text -> assertThat(WellFormedText.utf8(text, "x")).isEqualTo(text.getBytes(StandardCharsets.UTF_8)));
        assertThat(WellFormedText.checked(null, "x")).isNull();
    }

    @Test
    void lengthPrefixedRefusesAPartWithAnUnpairedSurrogateAndEncodesTheRestAsBefore() {
        assertThatThrownBy(() -> LengthPrefixed.encode("route", "alice\uD800")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("part 1");
        assertThatThrownBy(() -> LengthPrefixed.encode("\uDFFF", null)).isInstanceOf(IllegalArgumentException.class);
        // Unchanged for text: present marker, 4-byte UTF-8 length, bytes; null as absent.
        assertThat(LengthPrefixed.encode("h\u00e9", null, "\uD83D\uDE00")).containsExactly(1, 0, 0, 0, 3, 'h', 0xC3 - 256, 0xA9 - 256,
                0, 0, 0, 0, 0, 1, 0, 0, 0, 4, 0xF0 - 256, 0x9F - 256, 0x98 - 256, 0x80 - 256);
    }

    private static String escape(String text) {
        StringBuilder out = new StringBuilder();
        text.chars().forEach(c -> out.append(c < 0x80 ? String.valueOf((char) c) : String.format("\\u%04X", c)));
        return out.toString();
    }
}
