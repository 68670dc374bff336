package dev.tollgate.policy.condition;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.tollgate.policy.CallDescription;
import dev.tollgate.policy.Identity;
import dev.tollgate.policy.PolicyRequest;
import dev.tollgate.policy.RegexInputTooLongException;
import dev.tollgate.policy.RegexStepBudgetException;
import dev.tollgate.policy.yaml.PythonDict;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * An Agent Governance Toolkit condition, {@code {field: amount, operator: gt, value: 5000}}, read against the
 * flat context AGT hosts build, here taken from the call:
 * <ul>
 *   <li>{@code tool_name} the tool (an A2A skill), {@code tool_args} the arguments object, {@code method},
 *       {@code route}, {@code spiffe_id}; {@code agent_id} the AXID agent claim; {@code action_type} {@code tool_call}
 *       for a tool call, {@code invoke_agent} for an A2A send ({@link #actionType}); {@code tool_call_count} the run's
 *       earlier tool calls ({@link dev.tollgate.policy.CallFacts#toolCallCount});</li>
 *   <li>{@code tenant} and every other AXID claim by its name;</li>
 *   <li>any other name: the top-level argument of that name.</li>
 * </ul>
 * The gateway's fields come first, so an argument named {@code tenant} cannot stand in for the caller's
 * tenant claim. As in AGT 4.1.0, a field absent from the context matches no operator ({@code ne} and
 * {@code not_in} included). A comparison Python would refuse throws, and the rule denies (fail closed).
 *
 * @param requiredLiterals for {@code matches}: what every match contains (see {@link RequiredLiterals}), used by
 *                         the document's literal prefilter; null otherwise or when the pattern requires nothing
 */
public record AgtCondition(String field, String operator, JsonNode value, PolicyRegex regex, LiteralQuery requiredLiterals,
                           OperandReadings readings) implements Condition {

    /**
     * What the operand asks of a value's other readings (see {@link NumberReadings}), found once at load rather than on
     * every call (an {@code in} list is walked to know it).
     *
     * @param namesAString      decided on the value's texts too ({@link NumberReadings#namesAString})
     * @param namesAnInteger    decided on the value's integer readings too ({@link NumberReadings#namesAnInteger})
     * @param containsAnInteger {@code contains} of an integer: on a list, membership decided on the elements' integer readings
     * @param integerOperand    the operand with its strings that spell an integer read as integers, or null
     *                          ({@link NumberReadings#integerOperand})
     * @param namesOneBoolean   names True or False (1 or 0 in Python) but not both: decided on the lax boolean readings
     *                          too ({@link JavaScriptCoercions#decidedAlikeAsLaxBoolean})
     */
    public record OperandReadings(boolean namesAString, boolean namesAnInteger, boolean containsAnInteger, JsonNode integerOperand,
                                  boolean namesOneBoolean) {

        static OperandReadings of(String operator, JsonNode value) {
            return new OperandReadings(NumberReadings.namesAString(operator, value), NumberReadings.namesAnInteger(operator, value, true),
                    "contains".equals(operator) && NumberReadings.namesAnInteger("eq", value, true),
                    NumberReadings.integerOperand(operator, value), namesOneBoolean(operator, value));
        }

        /**
         * {@code eq}/{@code ne} of True, False, 1 or 0, or {@code in}/{@code not_in} of a list naming True (or 1) or False
         * (or 0) but not both: AGT's {@code eq: true} is the native {@code in: [true, 1]} it imports as, and {@code eq: 1}
         * the same, so both are decided as that native test is ({@link JavaScriptCoercions#namesOneBoolean}).
         */
        private static boolean namesOneBoolean(String operator, JsonNode value) {
            return switch (operator) {
                case "eq", "ne" -> pythonFlag(value) != null;
                case "in", "not_in" -> value.isArray() && names(value, true) != names(value, false);
                default -> false;
            };
        }

        private static boolean names(JsonNode list, boolean flag) {
            for (JsonNode element : list) {
                if (Boolean.valueOf(flag).equals(pythonFlag(element))) {
                    return true;
                }
            }
            return false;
        }

        /** The bool Python finds {@code ==} to a scalar (True for True and 1, False for False and 0); null for none. */
        private static Boolean pythonFlag(JsonNode node) {
            if (node.isBoolean()) {
                return node.booleanValue();
            }
            if (node.isNumber() && NumberReadings.isFinite(node)) {
                java.math.BigDecimal number = node.decimalValue();
                return number.signum() == 0 ? Boolean.FALSE : number.compareTo(java.math.BigDecimal.ONE) == 0 ? Boolean.TRUE : null;
            }
            return null;
        }
    }

    public AgtCondition(String field, String operator, JsonNode value, PolicyRegex regex, LiteralQuery requiredLiterals) {
        this(field, operator, value, regex, requiredLiterals, OperandReadings.of(operator, value));
    }

    /** Why a plain date operand is not text: AGT's YAML reader makes a date of it (which every call would fail on). */
    private static final String QUOTE_IT = " (AGT reads an unquoted 2024-10-21 as a date, which no call value can be compared with"
            + " this way: every call would be denied; quote it to compare text)";

    public static final List<String> OPERATORS = List.of("eq", "ne", "gt", "lt", "gte", "lte", "in", "not_in", "matches", "contains");

    /** Validates the operand for the operator, once, at load; IllegalArgumentException says what is wrong. */
    public static AgtCondition compile(String field, String operator, JsonNode value) {
        switch (operator) {
            case "eq", "ne", "contains" -> {
                return new AgtCondition(field, operator, value, null, null);
            }
            case "gt", "gte", "lt", "lte" -> {
                if (!value.isNumber() && !value.isTextual()) {
                    throw new IllegalArgumentException(operator + " needs a number (or a string, compared as text), got " + PythonValues.kind(value)
                            + (value.isPojo() && PythonValues.pythonDict(value) == null ? QUOTE_IT : ""));
                }
                return new AgtCondition(field, operator, value, null, null);
            }
            case "in", "not_in" -> {
                if (!value.isArray() && !value.isTextual() && !value.isObject() && PythonValues.pythonDict(value) == null) {
                    throw new IllegalArgumentException(operator + " needs a list, got " + PythonValues.kind(value)
                            + (value.isPojo() ? QUOTE_IT : ""));
                }
                return new AgtCondition(field, operator, value, null, null);
            }
            case "matches" -> {
                if (!value.isValueNode() || value.isNull() || PythonValues.pythonDict(value) != null) {
                    throw new IllegalArgumentException("matches needs a regular expression string");
                }
                // AGT searches with str(value), so `value: 123` is the pattern "123".
                String pattern = PythonValues.str(value);
                return new AgtCondition(field, operator, value, PythonRegex.compile(pattern), RequiredLiterals.of(pattern));
            }
            default -> throw new IllegalArgumentException("unknown operator '" + operator + "' (expected one of "
                    + String.join(", ", OPERATORS) + ")");
        }
    }

    /** Context names the gateway supplies: never read from the arguments, even when absent for this call. */
    private static final Set<String> GATEWAY_FIELDS = Set.of("tool_name", "tool_args", "method", "route", "agent_id",
            "action_type", "tool_call_count", "spiffe_id", "tenant", "agent", "run", "sub", "parent", "tree", "capabilities",
            // The facts the OAuth stage writes from the verified token (review AM: a caller whose token named no client
            // sent {"client_id": "admin-console"} as an argument and a rule on client_id read it).
            "client_id", "oauth_sub", "oauth_iss", "scope");

    /**
     * The calls whose {@code action_type} is {@code "tool_call"}: MCP tool calls and A2A message sends (rules see the A2A
     * 1.0 names), the calls whose {@code tool_name} is a tool (an A2A call's declared skill) and that
     * {@code defaults.max_tool_calls} counts.
     */
    public static final List<String> TOOL_CALL_METHODS = List.of("tools/call", "SendMessage", "SendStreamingMessage");

    /** The A2A message sends among {@link #TOOL_CALL_METHODS}: the invocation of another agent. */
    public static final List<String> AGENT_INVOCATION_METHODS = List.of("SendMessage", "SendStreamingMessage");

    /** What AGT's hosts put in every context as the kind of action ({@code BaseIntegration._build_cedar_context}). */
    public static final String TOOL_CALL = "tool_call";

    /** What AGT's Bedrock host puts as the kind of action when it invokes an agent ({@code GovernedBedrockClient.invoke_agent}). */
    public static final String INVOKE_AGENT = "invoke_agent";

    /** The run's earlier tool calls, the gateway's count ({@link dev.tollgate.policy.CallFacts#toolCallCount}). */
    public static final String TOOL_CALL_COUNT = "tool_call_count";

    /**
     * The gateway's {@code action_type} for a call: {@code tool_call} for an MCP {@code tools/call} (AGT 5.0.0's hosts put
     * it for every tool call: base.py pre_execute, langgraph's tool node); {@code invoke_agent} for an A2A message send,
     * the invocation of another agent, as AGT's only host that governs one says it (bedrock_adapter.py's
     * {@code invoke_agent}: the agent invoked with the caller's text; fix AV: fix AR's {@code tool_call} there left a deny
     * on {@code invoke_agent} that never held); null (absent: no operator matches) for any other call, which no AGT host
     * evaluates. Never the caller's argument of that name (review CC: a deny on {@code action_type eq tool_call} never
     * held, and a caller sending {@code action_type: model_call} chose its kind).
     */
    public static String actionType(CallDescription call) {
        if (call.method() == null || !TOOL_CALL_METHODS.contains(call.method())) {
            return null;
        }
        return AGENT_INVOCATION_METHODS.contains(call.method()) ? INVOKE_AGENT : TOOL_CALL;
    }

    /** This condition tested on one context value, as {@link #matches} tests it (the importer's exact reading of a fact). */
    public boolean holdsOn(JsonNode contextValue) {
        return test(contextValue);
    }

    /**
     * What to tell the author of a condition on {@code field} spelt like a gateway field but not one ({@code Tenant},
     * {@code client-id}, {@code TOOL_NAME}): names are exact, so it reads the caller's claims, then the call's arguments,
     * which a caller chooses. Null when {@code field} is a gateway field or like none. The loader and {@code import-agt}
     * say it.
     */
    public static String speltLikeGatewayField(String field) {
        if (GATEWAY_FIELDS.contains(field)) {
            return null;
        }
        String folded = field.strip().replace('-', '_').toLowerCase(java.util.Locale.ROOT);
        return !GATEWAY_FIELDS.contains(folded) ? null : "field '" + field + "' is not the gateway's '" + folded
                + "' (names are exact): it is read from the caller's claims, then from the call's arguments, which the"
                + " caller chooses; write '" + folded + "'";
    }

    /**
     * What to tell the author of conditions on {@code field} when the gateway reads it from the caller (its claim of that
     * name, else its top-level argument) where AGT's host supplies it: AGT's context holds {@code agent_id},
     * {@code action_type}, {@code tool_name}, {@code tool_args} and what the host adds ({@code **extra}: token counts,
     * run counters, model confidence, trust scores); a tool's arguments are only under {@code tool_args}. Null for the
     * gateway's own fields and {@code tool_args}. Review CC: strict.yaml's {@code confidence lt 0.95} deny held only
     * when the caller sent a low confidence, and loading said nothing.
     */
    public static String callerChosen(String field, List<String> rules) {
        if (GATEWAY_FIELDS.contains(field)) {
            return null;
        }
        return "field '" + field + "' (rule" + (rules.size() == 1 ? " " : "s ") + String.join(", ", rules) + "): AGT's host"
                + " supplies it (AGT's context has a tool's arguments only under tool_args); the gateway reads the caller's"
                + " claim '" + field + "', else the caller's own argument '" + field + "', which the caller chooses: a deny"
                + " rule on it holds only when the caller sends a value that trips it, an allow rule whenever the caller"
                + " sends one that passes (see policy/README.md, AGT documents, Context)";
    }

    /** Any name but the call's own fields is read as a claim (first, for a name that is not the gateway's). */
    @Override
    public void addClaimsRead(Set<String> names) {
        if (!Set.of("tool_name", "tool_args", "method", "route", "agent_id", "action_type", TOOL_CALL_COUNT).contains(field)) {
            names.add(field);
        }
    }

    /**
     * {@code tool_args} reads the arguments whole; a name that is not the call's own field is read from the arguments when
     * the caller has no such claim: its top-level member.
     */
    @Override
    public void addArgumentsRead(Set<String> pointers) {
        if ("tool_args".equals(field)) {
            pointers.add("");
        } else if (!GATEWAY_FIELDS.contains(field)) {
            pointers.add(com.fasterxml.jackson.core.JsonPointer.empty().appendProperty(field).toString());
        }
    }

    /**
     * The context value of {@code field} for this call; null when absent (JSON null counts as absent, as Python None).
     * Null for {@code tool_call_count}, which only the request's facts hold ({@link #lookup(String, PolicyRequest)}).
     */
    public static JsonNode lookup(String field, CallDescription call, Identity identity) {
        return lookup(field, call, identity, call.arguments());
    }

    /**
     * {@link #lookup(String, CallDescription, Identity)} with the gateway's facts: {@code tool_call_count} is the run's
     * count ({@link dev.tollgate.policy.CallFacts#toolCallCount}) on a caller's call, which throws where no count is at
     * hand (fail closed); absent on what a server sends (its requests, results), which no AGT host evaluates, as
     * {@code action_type} is: a circuit breaker on the count does not refuse every sampling request the server makes.
     */
    public static JsonNode lookup(String field, PolicyRequest request) {
        if (TOOL_CALL_COUNT.equals(field)) {
            return CallDescription.CLIENT_TO_SERVER.equals(request.call().direction())
                    ? com.fasterxml.jackson.databind.node.LongNode.valueOf(request.facts().toolCallCount()) : null;
        }
        return lookup(field, request.call(), request.identity());
    }

    /**
     * True when {@code exact}, what {@link #lookup} gave for {@code field}, is the very value a reader holding every
     * number in a double sees (always for the gateway's own fields and claims: they reach no upstream as arguments).
     */
    public static boolean readsAlikeAsDoubles(String field, CallDescription call, Identity identity, JsonNode exact) {
        return call.readsAlikeAsDoubles() || !fromArguments(field, identity)
                || exact == lookup(field, call, identity, call.argumentsAsDoubles());
    }

    /** Whether {@link #lookup} reads {@code field} from the call's arguments (the only values with several readings). */
    private static boolean fromArguments(String field, Identity identity) {
        return "tool_args".equals(field) || !GATEWAY_FIELDS.contains(field) && identity.claim(field) == null;
    }

    private static JsonNode lookup(String field, CallDescription call, Identity identity, JsonNode args) {
        JsonNode value = GATEWAY_FIELDS.contains(field) ? gatewayField(field, call, identity, args) : claim(field, identity);
        if (value == null && !GATEWAY_FIELDS.contains(field)) {
            value = args != null && args.isObject() ? args.get(field) : null;
        }
        return value == null || value.isNull() ? null : value;
    }

    /** What a {@code matches} searches in a context value ({@link #lookup}), {@code str()} of it; null when absent. */
    public static String searchText(JsonNode value) {
        return value == null ? null : PythonValues.str(value);
    }

    private static JsonNode gatewayField(String field, CallDescription call, Identity identity, JsonNode args) {
        return switch (field) {
            case "tool_name" -> text(call.toolName());
            case "tool_args" -> args;
            case "method" -> text(call.method());
            case "route" -> text(call.route());
            case "agent_id" -> text(identity.agent());
            case "action_type" -> text(actionType(call));
            case TOOL_CALL_COUNT -> null; // the request's facts hold it (lookup(String, PolicyRequest)), never a claim
            default -> claim(field, identity);
        };
    }

    private static JsonNode claim(String field, Identity identity) {
        return ValueTest.toJson(identity.claim(field));
    }

    private static JsonNode text(String s) {
        return s == null ? null : TextNode.valueOf(s);
    }

    @Override
    public boolean matches(PolicyRequest request) {
        JsonNode actual = lookup(field, request);
        if (actual == null) {
            nullDecidedAlike(request.call(), request.identity());
            return false;
        }
        return testEveryReading(actual, request.call(), request.identity());
    }

    /**
     * A JSON null is AGT's None, which matches no operator; but a coercing upstream reads it as 0 ({@code Number(null)})
     * (and a test naming True or False names 1 or 0 in AGT): a test naming a number or a boolean that holds on 0 denies, as the native
     * rule the document imports as does ({@link JavaScriptCoercions}).
     */
    private void nullDecidedAlike(CallDescription call, Identity identity) {
        if (!namesANumber() || !fromArguments(field, identity)) {
            return;
        }
        JsonNode raw = call.arguments() != null && call.arguments().isObject() ? call.arguments().get(field) : null;
        if (raw == null || !raw.isNull()) {
            return;
        }
        JavaScriptCoercions.decidedAlikeAsNumber(false, raw, value, false, this::test, field);
    }

    /**
     * The test on the value as read exactly, which must agree with the test on it as a double and, for a test naming
     * an integer, as an integer (see {@link NumberReadings}); one test when the value reads alike.
     */
    private boolean testEveryReading(JsonNode actual, CallDescription call, Identity identity) {
        boolean exact = test(actual);
        if (!fromArguments(field, identity)) {
            return exact;
        }
        // The text reading only for a value that is not already text, and a test naming a string (see NumberReadings).
        if (!actual.isTextual() && readings.namesAString()) {
            NumberReadings.decidedAlikeAsText(exact, actual, this::testAsText, field);
        }
        // A padded name as a reader that trims it sees it (Jackson's enum binding retries " DESTROY" as DESTROY).
        // The pattern is looked at only for a padded text, which few are.
        if (PaddedText.decidesOnTrimmedText(operator, readings.namesAString()) && PaddedText.isPadded(actual) && (exact || regex == null
                || PaddedText.trimmedMayMatchWhereExactDoesNot(PythonValues.str(value)))) {
            PaddedText.decidedAlikeTrimmed(exact, actual, this::test, field);
        }
        // The integer readings only where the test names an integer, or looks one up in a list.
        boolean containsAnInteger = readings.containsAnInteger() && actual.isArray();
        boolean namesAnInteger = readings.namesAnInteger() || containsAnInteger;
        boolean asInteger = !call.readsAlikeAsIntegers() && namesAnInteger;
        if (!call.readsAlikeAsDoubles() || asInteger) {
            NumberReadings.decidedAlike(exact, actual, lookup(field, call, identity, call.argumentsAsDoubles()),
                    asInteger ? lookup(field, call, identity, call.argumentsAsIntegers()) : actual, this::test, field);
        }
        if (namesAnInteger) {
            NumberReadings.decidedAlikeAsOtherIntegers(exact, actual, value, containsAnInteger, this::test, field);
        }
        JsonNode integerOperand = readings.integerOperand();
        if (integerOperand != null) {
            NumberReadings.decidedAlikeAsSpelledIntegers(exact, actual, integerOperand, read -> test(read, integerOperand), field);
        }
        // JavaScript's Number() of a null or a list (a z.coerce.number() field), for a test naming a number.
        // AGT's True is 1: a test naming a boolean names the number too (eq: true imports as in: [true, 1]).
        if (namesANumber()) {
            JavaScriptCoercions.decidedAlikeAsNumber(exact, actual, value, readings.namesAnInteger(), this::test, field);
        }
        // No truthiness reading: AGT's True is 1 (eq: true is eq: 1, imported as in: [true, 1]), a number test, which a
        // truthiness reading would make deny every other truthy number. The lax readings deny no other number.
        if (readings.namesOneBoolean()) {
            JavaScriptCoercions.decidedAlikeAsLaxBoolean(exact, actual, this::test, field);
        }
        // matches searches str(value) (Python's ['/etc/shadow']); a string field holds JavaScript's join ("/etc/shadow")
        // or Java's toString of a list, and a number's or bool's own texts ("42" for 42.0, "true").
        if (regex != null && !actual.isTextual()) {
            NumberReadings.decidedAlikeAsTextReadings(exact, actual, this::matchesAsText, field);
        }
        return exact;
    }

    /** A test naming a number for {@link JavaScriptCoercions}, True and False counting as 1 and 0 as in Python. */
    private boolean namesANumber() {
        return JavaScriptCoercions.namesANumber(operator, value) || ("eq".equals(operator) || "ne".equals(operator)) && value.isBoolean()
                || ("in".equals(operator) || "not_in".equals(operator)) && value.isArray()
                && java.util.stream.StreamSupport.stream(value.spliterator(), false).anyMatch(JsonNode::isBoolean);
    }

    private boolean test(JsonNode actual) {
        return test(actual, value);
    }

    private boolean test(JsonNode actual, JsonNode operand) {
        return switch (operator) {
            case "eq" -> PythonValues.eq(actual, operand);
            case "ne" -> !PythonValues.eq(actual, operand);
            case "gt", "gte", "lt", "lte" -> PythonValues.ordered(operator, actual, operand);
            case "in" -> PythonValues.in(actual, operand);
            case "not_in" -> !PythonValues.in(actual, operand);
            // AGT: `target in ctx_value`, a substring of a string, an element of a list, a key of a dict.
            case "contains" -> PythonValues.in(operand, actual);
            case "matches" -> search(actual);
            default -> throw new IllegalStateException(operator);
        };
    }

    /**
     * {@link #test} with numbers, booleans and lists compared with strings as string fields read them
     * ({@link TextReadings}); differs only for the tests naming a string.
     */
    private boolean testAsText(JsonNode actual) {
        return switch (operator) {
            case "eq" -> TextReadings.looseEquals(actual, value, PythonValues::eq);
            case "ne" -> !TextReadings.looseEquals(actual, value, PythonValues::eq);
            case "in" -> inAsText(actual, value);
            case "not_in" -> !inAsText(actual, value);
            case "contains" -> containsAsText(actual, value);
            default -> test(actual);
        };
    }

    /** Python's {@code item in container}, the item read as its texts where a string field would. */
    private static boolean inAsText(JsonNode item, JsonNode container) {
        if (container.isArray()) {
            for (JsonNode element : container) {
                if (TextReadings.looseEquals(item, element, PythonValues::eq)) {
                    return true;
                }
            }
            return false;
        }
        PythonDict dict = PythonValues.pythonDict(container);
        if (dict != null && (item.isNumber() || item.isBoolean())) {
            // Its number and bool keys by value, its string keys by the item's texts.
            for (String text : TextReadings.of(item)) {
                if (dict.hasStringKey(text)) {
                    return true;
                }
            }
            return dict.containsKey(item);
        }
        if (container.isObject() && (item.isNumber() || item.isBoolean())) {
            for (String text : TextReadings.of(item)) {
                if (container.has(text)) {
                    return true;
                }
            }
            return false;
        }
        if (container.isTextual() && (item.isNumber() || item.isBoolean())) {
            for (String text : TextReadings.of(item)) {
                if (container.textValue().contains(text)) {
                    return true;
                }
            }
            return false;
        }
        return PythonValues.in(item, container);
    }

    /** AGT's contains, {@code operand in actual}, with {@code actual} read as its texts where a string field would. */
    private static boolean containsAsText(JsonNode actual, JsonNode operand) {
        if (actual.isArray()) {
            // The joined text first: a list too long to join denies at once, before any element is read as text.
            if (operand.isTextual() && TextReadings.containsText(actual, operand.textValue())) {
                return true;
            }
            for (JsonNode element : actual) {
                if (TextReadings.looseEquals(element, operand, PythonValues::eq)) {
                    return true;
                }
            }
            return false;
        }
        if ((actual.isNumber() || actual.isBoolean()) && operand.isTextual()) {
            return TextReadings.containsText(actual, operand.textValue());
        }
        return PythonValues.in(operand, actual);
    }

    /**
     * {@code matches} on Python's {@code str()} of the value or on any text a string-field reader makes of it: a number's
     * or bool's texts ({@link TextReadings#of}), a list's JavaScript join and Java {@code toString}, a mapping's Java
     * {@code toString}; as the native {@code matches} reads them.
     *
     * @throws TextReadings.TooLongToReadAsText for a list or mapping whose text is too long to search
     */
    private boolean matchesAsText(JsonNode actual) {
        if (search(actual)) {
            return true;
        }
        if (actual.isNumber() || actual.isBoolean()) {
            for (String text : TextReadings.of(actual)) {
                if (find(text)) {
                    return true;
                }
            }
            return false;
        }
        if (actual.isArray() && find(readable(TextReadings.joined(actual, TextReadings.MAX_JOINED_CHARS)))) {
            return true;
        }
        return actual.isContainerNode() && find(readable(TextReadings.javaText(actual, TextReadings.MAX_JOINED_CHARS)));
    }

    private static String readable(String text) {
        if (text == null) {
            throw new TextReadings.TooLongToReadAsText();
        }
        return text;
    }

    private boolean search(JsonNode actual) {
        return find(PythonValues.str(actual));
    }

    private boolean find(String text) {
        try {
            return regex.find(text);
        } catch (RegexInputTooLongException e) {
            throw e.at(field);
        } catch (RegexStepBudgetException e) {
            throw e.at(field);
        }
    }

    @Override
    public String mismatch(PolicyRequest request) {
        JsonNode actual = lookup(field, request);
        if (actual == null) {
            return field + " is absent from the context";
        }
        return testEveryReading(actual, request.call(), request.identity()) ? null : field + " (" + abbreviate(actual) + ") fails " + operator + " " + value;
    }

    private static String abbreviate(JsonNode actual) {
        String s = actual.toString();
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }

    @Override
    public Truth staticTruth(CallDescription call, Identity identity) {
        if ("tool_args".equals(field) || TOOL_CALL_COUNT.equals(field)) {
            // The arguments, and the run's count at the moment of the call, are known only when it is made.
            return Truth.UNKNOWN;
        }
        JsonNode known = GATEWAY_FIELDS.contains(field) ? gatewayField(field, call, identity, call.arguments()) : claim(field, identity);
        if (known == null && !GATEWAY_FIELDS.contains(field)) {
            // Not a claim of this caller: it may be an argument, unknown before the call.
            return Truth.UNKNOWN;
        }
        return Truth.of(known != null && !known.isNull() && test(known));
    }

    @Override
    public Set<String> requiredToolNames() {
        if (!"tool_name".equals(field)) {
            return null;
        }
        if ("eq".equals(operator) && value.isTextual()) {
            return Set.of(value.textValue());
        }
        if ("in".equals(operator) && value.isArray()) {
            Set<String> names = new LinkedHashSet<>();
            for (JsonNode v : value) {
                if (!v.isTextual()) {
                    return null;
                }
                names.add(v.textValue());
            }
            return Set.copyOf(names);
        }
        return null;
    }
}
