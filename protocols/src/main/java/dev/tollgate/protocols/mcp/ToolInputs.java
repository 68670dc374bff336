package dev.tollgate.protocols.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * What a tool's listed {@code inputSchema} says the gateway must know to decide a call as the tool reads it: the closed
 * value sets its arguments must hold ({@link ToolEnums}), the defaults its server fills in ({@link ToolDefaults}) and
 * the argument names it declares ({@link ArgumentNames}, which a case-insensitive binder reads in other spellings).
 * Read once per listed schema; equal schemas read equal, so that they can be held once.
 */
public record ToolInputs(ToolEnums enums, ToolDefaults defaults, ArgumentNames names) {

    /** No closed set, no default, no declared name: calls are decided as sent. */
    public static final ToolInputs NONE = new ToolInputs(ToolEnums.NONE, ToolDefaults.NONE, ArgumentNames.NONE);

    public static ToolInputs of(JsonNode inputSchema) {
        ToolEnums enums = ToolEnums.of(inputSchema);
        ToolDefaults defaults = ToolDefaults.of(inputSchema);
        ArgumentNames names = ArgumentNames.of(inputSchema);
        ToolInputs inputs = new ToolInputs(enums, defaults, names);
        return inputs.matters() ? inputs : NONE;
    }

    /** Whether a call to the tool needs any of it (a tool declaring none costs its calls nothing). */
    public boolean matters() {
        return enums.constrains() || defaults.fills() || names.declares();
    }

    /** {@link ToolEnums#outside}. */
    public String outside(JsonNode arguments) {
        return enums.outside(arguments);
    }

    /** {@link ToolDefaults#filled}. */
    public List<JsonNode> filled(JsonNode arguments) {
        return defaults.filled(arguments);
    }
}
