package dev.tollgate.protocols.a2a;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The A2A-Extensions header read as the JavaScript SDK reads it: split on commas, each URI trimmed by JavaScript's rules. */
class A2aHeadersTest {

    @Test
    void extensionsAreTrimmedAsJavaScriptTrimsThem() {
        // No-break space (a 0xA0 byte read as Latin-1), ideographic space, line separator, BOM: JavaScript trims them all.
        assertThat(A2aHeaders.extensions(List.of("\u00A0urn:admin-mode\u3000, \u2028urn:b\t,\uFEFFurn:c , ,")))
                .containsExactly("urn:admin-mode", "urn:b", "urn:c");
    }

    @Test
    void controlCharactersJavaScriptKeepsAreKept() {
        // Java's trim() drops every character up to U+0020; JavaScript's keeps U+001C to U+001F and U+0000.
        assertThat(A2aHeaders.extensions(List.of("\u001Curn:x, urn:y\u0000"))).containsExactly("\u001Curn:x", "urn:y\u0000");
    }

    /** The SDK's router choice (isLegacyVersion of the header, 0.3 when absent): review N. */
    @org.junit.jupiter.params.ParameterizedTest(name = "[{0}] -> {1}")
    @org.junit.jupiter.params.provider.CsvSource(nullValues = "NULL", delimiter = '|', value = {
            "NULL | true", "'' | true", "'  ' | true", "0.3 | true", "0.3.0 | true", "0.9 | true", "+0.3 | true", "-0.3 | true", " 0.3x | true",
            "1.0 | false", "1 | false", "0 | false", "0.2 | false", "abc | false", "1.0, 0.3 | false", "0.-3 | false"})
    void theVersionHeaderRoutesAsTheSdkRoutesIt(String header, boolean legacy) {
        assertThat(A2aHeaders.routesAsLegacy(header)).isEqualTo(legacy);
    }

    @Test
    void aVersionPastADoublesRangeIsNoVersion() {
        assertThat(A2aHeaders.routesAsLegacy("0." + "9".repeat(400))).as("Infinity to JavaScript: not finite, not 0.3").isFalse();
        assertThat(A2aHeaders.routesAsLegacy("0" + "0".repeat(30) + "1.3")).as("major 1 however many zeros lead").isFalse();
    }
}
