package dev.tollgate.policy.condition;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.Identity;
import dev.tollgate.policy.PolicyRequest;
import dev.tollgate.policy.RegexInputTooLongException;

/** {@code arg: {path: /command, matches: "rm\\s+-rf"}}: the argument at a JSON pointer passes a test. */
public record ArgumentCondition(JsonPointer path, ValueTest test) implements Condition {

    @Override
    public boolean matches(PolicyRequest request) {
        CallDescription call = request.call();
        JsonNode value = valueOf(call.arguments());
        try {
            boolean exact = test.test(value);
            // Each further reading only for a value it can change: the message's text is not built on every call.
            if (test.decidesOnTextReadings(value)) {
                NumberReadings.decidedAlikeAsTextReadings(exact, value, test::testAsText, "argument at " + path);
            }
            // A padded name as a reader that trims it sees it (Jackson's enum binding retries " DESTROY" as DESTROY).
            if (test.decidesOnTrimmedText(exact)) {
                PaddedText.decidedAlikeTrimmed(exact, value, test::test, "argument at " + path);
            }
            // The integer reading only where the test names an integer (see NumberReadings).
            boolean integerNamed = test.decidesOnIntegerReadings(value);
            boolean asInteger = integerNamed && !call.readsAlikeAsIntegers();
            // The common case, every value reading alike: one reading, one lookup.
            if (!call.readsAlikeAsDoubles() || asInteger) {
                NumberReadings.decidedAlike(exact, value, valueOf(call.argumentsAsDoubles()),
                        asInteger ? valueOf(call.argumentsAsIntegers()) : value, test::test, "argument at " + path);
            }
            if (integerNamed && OtherIntegerReadings.mayChange(value)) {
                NumberReadings.decidedAlikeAsOtherIntegers(exact, value, test.operand(), !test.namesAnInteger(), test::test,
                        "argument at " + path);
            }
            // JavaScript's Number() of a null, a list or a string (z.coerce.number(): [42], null and "1.5" are 42, 0 and 1.5),
            // and a decimal field's exact reading of a string, for a test naming a number.
            if (test.namesANumber()) {
                JavaScriptCoercions.decidedAlikeAsNumber(exact, value, test.operand(), test.namesAnInteger(), test::test, "argument at " + path);
            }
            // Boolean(x), bool(x) and a lax boolean field (z.coerce.boolean(): "false", 1, [] are true), for a test naming a boolean.
            if (test.namesABoolean()) {
                JavaScriptCoercions.decidedAlikeAsBoolean(exact, value, test::test, "argument at " + path);
            } else if (test.namesOneBooleanBesideItsNumber()) {
                // in: [true, 1]: a lax boolean field ("true", "yes", [true]), not truthiness, which would read 2 as 1.
                JavaScriptCoercions.decidedAlikeAsLaxBoolean(exact, value, test::test, "argument at " + path);
            }
            ValueTest integerTest = test.integerTest();
            if (integerTest != null) {
                NumberReadings.decidedAlikeAsSpelledIntegers(exact, value, integerTest.operand(), integerTest::test, "argument at " + path);
            }
            return exact;
        } catch (RegexInputTooLongException e) {
            throw e.at("argument at " + path);
        }
    }

    @Override
    public void addArgumentsRead(java.util.Set<String> pointers) {
        pointers.add(path.toString());
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
