package dev.tollgate.protocols.mcp;

import java.util.List;

/** MCP protocol revisions and the rules that differ between them. */
public final class McpProtocolVersions {
    public static final String V2024_11_05 = "2024-11-05";
    public static final String V2025_03_26 = "2025-03-26";
    public static final String V2025_06_18 = "2025-06-18";
    public static final String V2025_11_25 = "2025-11-25";
    public static final List<String> KNOWN = List.of(V2024_11_05, V2025_03_26, V2025_06_18, V2025_11_25);

    private McpProtocolVersions() {
    }

    /**
     * JSON-RPC batches were removed in 2025-06-18. A missing header means 2025-03-26 (the spec's fallback),
     * which allows them; any revision from 2025-06-18 on, including unknown later ones, does not.
     * Revisions are dates, so they compare as strings.
     */
    public static boolean supportsBatching(String version) {
        if (version == null || version.isBlank()) {
            return true;
        }
        return version.trim().compareTo(V2025_06_18) < 0;
    }
}
