package dev.tollgate.protocols.mcp;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a tool's listed {@code inputSchema} says the gateway must know to decide a call as the tool reads it: the closed
 * value sets its arguments must hold ({@link ToolEnums}) and the defaults its server fills in ({@link ToolDefaults}).
 * Read once per listed schema; equal schemas read equal, so that they can be held once.
 */
public record ToolInputs(ToolEnums enums, ToolDefaults defaults) {

    /** Neither a closed set nor a default: calls are decided as sent. */
    public static final ToolInputs NONE = new ToolInputs(ToolEnums.NONE, ToolDefaults.NONE);

    public static ToolInputs of(JsonNode inputSchema) {
        ToolEnums enums = ToolEnums.of(inputSchema);
        ToolDefaults defaults = ToolDefaults.of(inputSchema);
        return enums.constrains() || defaults.fills() ? new ToolInputs(enums, defaults) : NONE;
    }

    /** Whether a call to the tool needs any of it (a tool declaring neither costs its calls nothing). */
    public boolean matters() {
        return enums.constrains() || defaults.fills();
    }

    /** {@link ToolEnums#outside}. */
    public String outside(JsonNode arguments) {
        return enums.outside(arguments);
    }

    /** {@link ToolDefaults#filled}. */
    public JsonNode filled(JsonNode arguments) {
        return defaults.filled(arguments);
    }
}
