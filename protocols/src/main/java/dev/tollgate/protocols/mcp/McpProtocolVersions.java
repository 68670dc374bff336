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
    /** Stateless: no initialize and no session; every request names its revision in {@code params._meta}. */
    public static final String V2026_07_28 = "2026-07-28";
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

    /**
     * The revision one request speaks, for spans and audit: the version its 2026 envelope names, else the
     * {@code MCP-Protocol-Version} header (which the gateway has checked against the envelope), else the
     * version an {@code initialize} asks for, else what a server assumes without a header. Only a label:
     * nothing is decided on it.
     */
    public static String spokenBy(dev.tollgate.protocols.jsonrpc.JsonRpcMessage first, String headerOrNull) {
        String envelope = first == null ? null : McpRoutingHeaders.envelopeVersion(first);
        if (envelope != null) {
            return envelope;
        }
        if (headerOrNull != null) {
            return headerOrNull.strip();
        }
        if (first instanceof dev.tollgate.protocols.jsonrpc.JsonRpcRequest request && McpMethods.INITIALIZE.equals(request.method())
                && request.params() != null && request.params().path("protocolVersion").isTextual()) {
            return request.params().get("protocolVersion").textValue();
        }
        return ASSUMED_WHEN_ABSENT;
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
