package dev.tollgate.protocols.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class McpProtocolVersionsTest {

    static Stream<Arguments> batching() {
        return Stream.of(
                Arguments.of("no header: the spec says assume 2025-03-26", null, true),
                Arguments.of("2024-11-05", "2024-11-05", true),
                Arguments.of("2025-03-26", "2025-03-26", true),
                Arguments.of("unknown earlier revision 2024-10-07", "2024-10-07", true),
                Arguments.of("day before removal 2025-06-17", "2025-06-17", true),
                Arguments.of("2025-06-18 removed batching", "2025-06-18", false),
                Arguments.of("2025-11-25", "2025-11-25", false),
                Arguments.of("unknown later revision 2026-07-28", "2026-07-28", false),
                Arguments.of("empty value is not a date", "", false),
                Arguments.of("garbage is not a date", "latest", false),
                Arguments.of("impossible date", "2025-02-30", false),
                Arguments.of("wrong shape", "2025-3-26", false),
                Arguments.of("surrounding whitespace", " 2025-03-26 ", false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("batching")
    void batchingFollowsTheRevisionDate(String name, String version, boolean allowed) {
        assertThat(McpProtocolVersions.supportsBatching(version)).isEqualTo(allowed);
    }

    @Test
    void knownRevisionsAreInDateOrderEndingWithTheLatest() {
        assertThat(McpProtocolVersions.KNOWN).containsExactly("2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25").isSorted();
        assertThat(McpProtocolVersions.LATEST).isEqualTo("2025-11-25");
        assertThat(McpProtocolVersions.isKnown("2025-06-18")).isTrue();
        assertThat(McpProtocolVersions.isKnown("2026-07-28")).isFalse();
        assertThat(McpProtocolVersions.isKnown(null)).isFalse();
    }

    @Test
    void headerNamesMatchTheSpec() {
        assertThat(McpHeaders.SESSION_ID).isEqualTo("Mcp-Session-Id");
        assertThat(McpHeaders.PROTOCOL_VERSION).isEqualTo("MCP-Protocol-Version");
        assertThat(McpHeaders.LAST_EVENT_ID).isEqualTo("Last-Event-ID");
    }
}
