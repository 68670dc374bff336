package dev.tollgate.policy.condition;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.Identity;
import dev.tollgate.policy.NumberReadingsDisagreeException;
import dev.tollgate.policy.PolicyRequest;
import dev.tollgate.policy.RegexInputTooLongException;

/** {@code arg: {path: /command, matches: "rm\\s+-rf"}}: the argument at a JSON pointer passes a test. */
public record ArgumentCondition(JsonPointer path, ValueTest test) implements Condition {

    @Override
    public boolean matches(PolicyRequest request) {
        CallDescription call = request.call();
        JsonNode value = valueOf(call.arguments());
        // The common case, every number reading alike: one reading, one lookup.
        JsonNode asDouble = call.argumentsAsDoubles() == call.arguments() ? value : valueOf(call.argumentsAsDoubles());
        try {
            boolean exact = test.test(value);
            if (asDouble != value && test.test(asDouble) != exact) {
                throw new NumberReadingsDisagreeException("argument at " + path + ", " + NumberReadings.describe(value, asDouble) + ",");
            }
            return exact;
        } catch (RegexInputTooLongException e) {
            throw e.at("argument at " + path);
        }
    }

    private JsonNode valueOf(JsonNode arguments) {
        return arguments == null ? null : arguments.at(path);
    }

    @Override
    public String mismatch(PolicyRequest request) {
        if (matches(request)) {
            return null;
        }
        JsonNode value = valueOf(request.call().arguments());
        String shown = value == null || value.isMissingNode() ? "absent" : abbreviate(value.toString());
        return "argument " + path + " (" + shown + ") fails " + test.describe();
    }

    @Override
    public Truth staticTruth(CallDescription call, Identity identity) {
        return Truth.UNKNOWN;
    }

    private static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 80) + "...";
    }
}
