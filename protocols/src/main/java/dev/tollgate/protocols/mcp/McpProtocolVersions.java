package dev.tollgate.protocols.mcp;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.regex.Pattern;

/** MCP protocol revisions and the rules that differ between them. */
public final class McpProtocolVersions {
    public static final String V2024_11_05 = "2024-11-05";
    public static final String V2025_03_26 = "2025-03-26";
    public static final String V2025_06_18 = "2025-06-18";
    public static final String V2025_11_25 = "2025-11-25";
    public static final List<String> KNOWN = List.of(V2024_11_05, V2025_03_26, V2025_06_18, V2025_11_25);
    public static final String LATEST = V2025_11_25;
    /** What a server assumes when the client sends no {@code MCP-Protocol-Version} header (spec, 2025-06-18 on). */
    public static final String ASSUMED_WHEN_ABSENT = V2025_03_26;

    private static final LocalDate BATCHING_REMOVED = LocalDate.parse(V2025_06_18);
    /** Revisions are ISO dates; {@link LocalDate#parse} alone would also accept a signed or 5-digit year. */
    private static final Pattern REVISION_SHAPE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");

    private McpProtocolVersions() {
    }

    public static boolean isKnown(String version) {
        return version != null && KNOWN.contains(version);
    }

    /**
     * JSON-RPC batches were removed in 2025-06-18. A missing header (null) means 2025-03-26, which allows
     * them. Revisions are compared as dates, so an unknown earlier one allows batches and any revision from
     * 2025-06-18 on, including unknown later ones, does not. A value that is not a date at all (blank
     * included) does not allow them: when the revision is unreadable, the stricter rule applies.
     */
    public static boolean supportsBatching(String versionOrNull) {
        if (versionOrNull == null) {
            return true;
        }
        LocalDate revision = parse(versionOrNull);
        return revision != null && revision.isBefore(BATCHING_REMOVED);
    }

    private static LocalDate parse(String version) {
        if (!REVISION_SHAPE.matcher(version).matches()) {
            return null;
        }
        try {
            return LocalDate.parse(version);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
