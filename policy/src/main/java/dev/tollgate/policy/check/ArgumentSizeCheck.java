package dev.tollgate.policy.check;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;

/**
 * {@code check: {name: argument_size, args: {max_bytes: 65536}}} holds when the call's arguments, as JSON,
 * are larger than {@code max_bytes}: a guard against tools fed huge inputs (prompt stuffing, exfiltration
 * through arguments).
 */
public final class ArgumentSizeCheck implements PolicyCheck {

    public static final String NAME = "argument_size";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public CompiledCheck compile(JsonNode args) {
        JsonNode max = args == null ? null : args.get("max_bytes");
        if (max == null || !max.canConvertToLong() || max.longValue() < 0) {
            throw new IllegalArgumentException("argument_size needs args.max_bytes, a non-negative integer");
        }
        long limit = max.longValue();
        return request -> {
            JsonNode arguments = request.call().arguments();
            return arguments != null && arguments.toString().getBytes(StandardCharsets.UTF_8).length > limit;
        };
    }
}
