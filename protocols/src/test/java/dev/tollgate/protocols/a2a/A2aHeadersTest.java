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
}
