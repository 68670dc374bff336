package dev.tollgate.policy.condition;

import dev.tollgate.policy.CallDescription;
import java.util.function.Function;

/** The fields of a call that conditions match names against. */
public enum CallField {
    PROTOCOL("protocol", CallDescription::protocol),
    METHOD("method", CallDescription::method),
    TOOL("tool", CallDescription::toolName),
    RESOURCE("resource", CallDescription::resourceUri),
    PROMPT("prompt", CallDescription::promptName),
    DIRECTION("direction", CallDescription::direction);

    private final String yamlName;
    private final Function<CallDescription, String> reader;

    CallField(String yamlName, Function<CallDescription, String> reader) {
        this.yamlName = yamlName;
        this.reader = reader;
    }

    public String yamlName() {
        return yamlName;
    }

    public String of(CallDescription call) {
        return reader.apply(call);
    }
}
