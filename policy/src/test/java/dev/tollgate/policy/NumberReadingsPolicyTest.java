package dev.tollgate.policy;

import static dev.tollgate.policy.PolicyFixtures.toolCall;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Integers beyond 2^53 read as one value exactly (the gateway, Python, Java) and as a neighbour in a double (a
 * JavaScript upstream): 18014398509481985 is 18014398509481984 to {@code JSON.parse}. A rule that decides
 * differently on the two readings denies with its own failure; a rule deciding alike on both keeps its decision,
 * and a large integer no rule looks at passes.
 */
class NumberReadingsPolicyTest {

    /** 2^54: a double holds it exactly, and holds neither 2^54 + 1 nor 2^54 + 3, which round to it and to 2^54 + 4. */
    private static final String BLOCKED = "18014398509481984";
    private static final String ROUNDS_TO_BLOCKED = "18014398509481985";
    private static final String ROUNDS_ELSEWHERE = "18014398509481987";

    private static CompiledPolicy nativeRule(String test) {
        return PolicyFixtures.rules("allow", """
                  - name: blocked-account
                    condition:
                      all:
                        - tool: transfer
                        - arg: {path: /to, %s}
                    action: deny
                    message: That account is frozen.
                """.formatted(test));
    }

    private static CompiledPolicy agtRule(String operator, String value) {
        return PolicyFixtures.policy("""
                version: "1.0"
                name: agt-numbers
                defaults: {action: allow}
                rules:
                  - name: blocked-account
                    condition: {field: to, operator: %s, value: %s}
                    action: deny
                    message: That account is frozen.
                """.formatted(operator, value));
    }

    private static Decision transferTo(CompiledPolicy policy, String account) {
        return policy.evaluate(toolCall("transfer", "{\"to\":" + account + ",\"amount\":5}"));
    }

    private static void assertReadingsDisagree(Decision decision) {
        assertThat(decision.isDenied()).isTrue();
        assertThat(decision.ruleName()).isEqualTo("blocked-account");
        assertThat(decision.failure()).isEqualTo(Decision.Failure.NUMBER_READINGS_DISAGREE);
        assertThat(decision.message()).contains("JavaScript").contains("fail closed");
    }

    @Test
    void theBlockedValueItselfIsDeniedByTheRule() {
        Decision decision = transferTo(nativeRule("eq: " + BLOCKED), BLOCKED);

        assertThat(decision.isDenied()).isTrue();
        assertThat(decision.failure()).isEqualTo(Decision.Failure.NONE);
        assertThat(decision.message()).isEqualTo("That account is frozen.");
    }

    @Test
    void aNeighbourAJavaScriptUpstreamReadsAsTheBlockedValueIsDenied() {
        assertReadingsDisagree(transferTo(nativeRule("eq: " + BLOCKED), ROUNDS_TO_BLOCKED));
        assertReadingsDisagree(transferTo(nativeRule("in: [1, " + BLOCKED + "]"), ROUNDS_TO_BLOCKED));
    }

    @Test
    void anAllowListIsNotWidenedByANeighbourEither() {
        CompiledPolicy onlyThisAccount = PolicyFixtures.rules("allow", """
                  - name: blocked-account
                    condition:
                      all:
                        - tool: transfer
                        - arg: {path: /to, ne: %s}
                    action: deny
                    message: Only the one account.
                """.formatted(BLOCKED));

        assertThat(transferTo(onlyThisAccount, BLOCKED).isDenied()).isFalse();
        assertReadingsDisagree(transferTo(onlyThisAccount, ROUNDS_TO_BLOCKED));
    }

    @Test
    void anOrderingAtTheBoundaryIsNotPassedByANeighbour() {
        // Deny amounts up to 2^54: 2^54 + 1 is above it exactly, and is 2^54 (denied) to JavaScript.
        assertReadingsDisagree(transferTo(nativeRule("lte: " + BLOCKED), ROUNDS_TO_BLOCKED));
    }

    @Test
    void aValueDecidedAlikeOnBothReadingsKeepsItsDecision() {
        // Neither 2^54 + 3 nor its double 2^54 + 4 is the blocked account: allowed, whatever the reader.
        assertThat(transferTo(nativeRule("eq: " + BLOCKED), ROUNDS_ELSEWHERE).isDenied()).isFalse();
        // Both readings are above 1000: the rule's own deny, not a failure.
        Decision large = transferTo(nativeRule("gt: 1000"), ROUNDS_TO_BLOCKED);
        assertThat(large.isDenied()).isTrue();
        assertThat(large.failure()).isEqualTo(Decision.Failure.NONE);
    }

    @Test
    void aLargeIdentifierNoRuleLooksAtPasses() {
        CompiledPolicy policy = nativeRule("eq: " + BLOCKED);

        Decision decision = policy.evaluate(toolCall("transfer", "{\"to\":7,\"request_id\":" + ROUNDS_TO_BLOCKED + "}"));

        assertThat(decision.isDenied()).isFalse();
    }

    @Test
    void aNeighbourInsideAListIsFound() {
        CompiledPolicy policy = PolicyFixtures.rules("allow", """
                  - name: blocked-account
                    condition: {arg: {path: /to, contains: %s}}
                    action: deny
                    message: That account is frozen.
                """.formatted(BLOCKED));

        assertReadingsDisagree(transferTo(policy, "[3, " + ROUNDS_TO_BLOCKED + "]"));
        assertThat(transferTo(policy, "[3, " + ROUNDS_ELSEWHERE + "]").isDenied()).isFalse();
    }

    @Test
    void anIntegerBeyondADoublesRangeIsInfinityToJavaScriptAndOrderingsOnItDecideAsOnInfinity() {
        String huge = "1" + "0".repeat(400);

        Decision decision = transferTo(nativeRule("gt: 1000"), huge);

        assertThat(decision.isDenied()).isTrue();
        // Exactly and as infinity it is above 1000: the rule's own deny.
        assertThat(decision.failure()).isEqualTo(Decision.Failure.NONE);
        assertThat(transferTo(nativeRule("lt: 1000"), huge).isDenied()).isFalse();
    }

    @Test
    void agtConditionsDecideOnBothReadings() {
        assertThat(transferTo(agtRule("eq", BLOCKED), BLOCKED).failure()).isEqualTo(Decision.Failure.NONE);
        assertReadingsDisagree(transferTo(agtRule("eq", BLOCKED), ROUNDS_TO_BLOCKED));
        assertReadingsDisagree(transferTo(agtRule("in", "[" + BLOCKED + "]"), ROUNDS_TO_BLOCKED));
        assertReadingsDisagree(transferTo(agtRule("lte", BLOCKED), ROUNDS_TO_BLOCKED));
        assertThat(transferTo(agtRule("eq", BLOCKED), ROUNDS_ELSEWHERE).isDenied()).isFalse();
    }

    @Test
    void aPatternOnTheNumbersTextIsNotRuledOutByThePrefilterReadingTheExactText() {
        // 99999999999999999 (17 digits) is 10^17 (18 digits) to a double: the prefilter, which folds digits, finds
        // no run of 18 in the exact text, so it would rule the pattern out; the text JavaScript reads matches it.
        CompiledPolicy policy = agtRule("matches", "'^100000000000000000$'");

        assertThat(transferTo(policy, "100000000000000000").failure()).isEqualTo(Decision.Failure.NONE);
        assertThat(transferTo(policy, "100000000000000000").isDenied()).isTrue();
        assertReadingsDisagree(transferTo(policy, "99999999999999999"));
        assertThat(transferTo(policy, "99999999999999984").isDenied()).as("a double holds it: ruled out as before").isFalse();
    }

    /** As the gateway's parser reads a body: fractions and exponents exactly (BigDecimal), kept as written. */
    private static final com.fasterxml.jackson.databind.ObjectMapper EXACT = new com.fasterxml.jackson.databind.ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .configure(com.fasterxml.jackson.databind.cfg.JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false);

    private static Decision transferExactly(CompiledPolicy policy, String account) throws Exception {
        return policy.evaluate(new PolicyRequest(CallDescription.mcpToolCall("r", "transfer",
                EXACT.readTree("{\"to\":" + account + ",\"amount\":5}")), PolicyFixtures.ACME, PolicyFixtures.MONDAY_10_UTC));
    }

    @Test
    void fractionsAndExponentsAreDecidedOnTheExactValueAndTheDouble() throws Exception {
        // 18014398509481985.0 is 2^54 + 1 to a BigDecimal reader and the frozen 2^54 to JSON.parse.
        assertReadingsDisagree(transferExactly(nativeRule("eq: " + BLOCKED), ROUNDS_TO_BLOCKED + ".0"));
        assertReadingsDisagree(transferExactly(nativeRule("eq: " + BLOCKED), "1.8014398509481985e16"));
        // Just above a limit exactly, at it as a double.
        assertReadingsDisagree(transferExactly(nativeRule("lte: 10000"), "10000.0000000000001"));
        // The frozen account written with a fraction is the frozen account to everyone: the rule's own deny.
        assertThat(transferExactly(nativeRule("eq: " + BLOCKED), BLOCKED + ".0").failure()).isEqualTo(Decision.Failure.NONE);
        assertThat(transferExactly(nativeRule("eq: " + BLOCKED), BLOCKED + ".0").isDenied()).isTrue();
        // 0.1 is not a double exactly, but no rule here decides differently on the two.
        assertThat(transferExactly(nativeRule("gt: 1"), "0.1").isDenied()).isFalse();
        assertThat(transferExactly(agtRule("lte", "10000"), "10000.0000000000001").failure())
                .isEqualTo(Decision.Failure.NUMBER_READINGS_DISAGREE);
    }

    @Test
    void aPatternOnANumberWrittenWithAFractionSeesJavaScriptsTextToo() throws Exception {
        // JavaScript's String(1234.0) is "1234": a pattern on the number's text must not be passed by writing ".0".
        CompiledPolicy policy = nativeRule("matches: '^1234$'");

        assertThat(transferExactly(policy, "1234").failure()).isEqualTo(Decision.Failure.NONE);
        assertThat(transferExactly(policy, "1234").isDenied()).isTrue();
        assertReadingsDisagree(transferExactly(policy, "1234.0"));
        assertReadingsDisagree(transferExactly(policy, "12340e-1"));
        // 1.234e3 is the BigDecimal 1234 (scale 0), whose text is "1234" in both readings: the rule's own deny.
        assertThat(transferExactly(policy, "1.234e3").isDenied()).isTrue();
        assertThat(transferExactly(policy, "1234.5").isDenied()).isFalse();
        assertThat(transferExactly(nativeRule("eq: 1234"), "1234.0").failure()).as("the same value: one decision")
                .isEqualTo(Decision.Failure.NONE);
    }

    @Test
    void aFractionAnIntegerFieldDropsCannotReachTheFrozenAccount() throws Exception {
        // Jackson binds 42.5 into a long field as 42 (its default float-to-int coercion), as Python's int() does.
        assertThat(transferExactly(nativeRule("eq: 42"), "42").failure()).isEqualTo(Decision.Failure.NONE);
        assertThat(transferExactly(nativeRule("eq: 42"), "42").isDenied()).isTrue();
        assertReadingsDisagree(transferExactly(nativeRule("eq: 42"), "42.5"));
        assertReadingsDisagree(transferExactly(nativeRule("in: [41, 42]"), "42.999"));
        assertReadingsDisagree(transferExactly(nativeRule("eq: -42"), "-42.5"));
        assertReadingsDisagree(transferExactly(nativeRule("eq: 42"), "42.99999999999999999")); // a BigInteger field: 42; a double: 43
        assertReadingsDisagree(transferExactly(agtRule("eq", "42"), "42.5"));
        assertReadingsDisagree(transferExactly(agtRule("in", "[42]"), "42.5"));
        // An allow list of accounts is not widened: 7.5 is account 7 to the upstream, not on the list exactly.
        CompiledPolicy onlyAccount7 = nativeRule("ne: 7");
        assertReadingsDisagree(transferExactly(onlyAccount7, "7.5"));
        assertThat(transferExactly(onlyAccount7, "7").isDenied()).isFalse();
    }

    @Test
    void aNumberSentAsAStringCannotReachTheFrozenAccount() throws Exception {
        // Jackson binds "42" into a long field as 42, as do Spring AI's Long parameters, pydantic and parseInt.
        for (String spelled : new String[]{"\"42\"", "\" 42 \"", "\"+42\"", "\"042\"", "\"4.2e1\"", "\"42.5\""}) {
            assertReadingsDisagree(transferExactly(nativeRule("eq: 42"), spelled));
            assertReadingsDisagree(transferExactly(agtRule("in", "[41, 42]"), spelled));
        }
        String padded = "\"" + "0".repeat(70) + "42\"";
        for (String spelled : new String[]{padded, "\"" + " ".repeat(70) + "42\"", "\"\\u000142\"", "\"\uFF14\uFF12\"", "\"4_2\""}) {
            assertReadingsDisagree(transferExactly(nativeRule("eq: 42"), spelled)); // Long.parseLong, trim(), int() read 42
        }
        assertReadingsDisagree(transferExactly(nativeRule("eq: 1"), "true")); // Python's int(True), pydantic's lax int
        assertReadingsDisagree(transferExactly(nativeRule("eq: [42]"), "[\"42\"]")); // a List<Long> field
        assertThat(transferExactly(nativeRule("contains: 42"), "\"ref-420\"").failure()).as("a substring test keeps its decision")
                .isEqualTo(Decision.Failure.NONE);
        assertReadingsDisagree(transferExactly(nativeRule("eq: 42"), "\"42abc\"")); // not to Jackson or int(), 42 to parseInt
        assertThat(transferExactly(nativeRule("eq: 42"), "\"1e999999999\"").isDenied()).as("no billion-digit integer").isFalse();
        assertThat(transferExactly(nativeRule("eq: 42"), "\"43\"").isDenied()).isFalse();
        // A rule naming the string decides on the string: the integer reading is for tests naming an integer.
        assertThat(transferExactly(nativeRule("eq: \"42\""), "\"42\"").failure()).isEqualTo(Decision.Failure.NONE);
        assertThat(transferExactly(nativeRule("eq: \"42\""), "\"42\"").isDenied()).isTrue();
    }

    @Test
    void aNumberSentWhereARuleNamesAStringCannotReachTheFrozenAccount() throws Exception {
        // Jackson binds 42 into a String field as "42" (its default int-to-string coercion), as toString() of the argument
        // map's Integer and JavaScript's String(42.0) do: a rule naming the string must not let the number past.
        for (String number : new String[]{"42", "42.0", "4.2e1", "420e-1"}) {
            assertReadingsDisagree(transferExactly(nativeRule("eq: \"42\""), number));
            assertReadingsDisagree(transferExactly(nativeRule("in: [\"41\", \"42\"]"), number));
            assertReadingsDisagree(transferExactly(agtRule("eq", "'42'"), number));
            assertReadingsDisagree(transferExactly(agtRule("in", "['41', '42']"), number));
        }
        assertReadingsDisagree(transferExactly(nativeRule("eq: \"42.0\""), "42.0")); // Jackson keeps the text sent
        assertReadingsDisagree(transferExactly(nativeRule("eq: \"1e+21\""), "1000000000000000000000")); // String(1e21)
        assertReadingsDisagree(transferExactly(nativeRule("eq: \"true\""), "true"));
        assertReadingsDisagree(transferExactly(agtRule("eq", "'True'"), "true")); // Python's str(True)
        assertReadingsDisagree(transferExactly(nativeRule("eq: [\"42\"]"), "[42]")); // a List<String> field
        assertReadingsDisagree(transferExactly(nativeRule("contains: \"42\""), "[42]"));
        assertReadingsDisagree(transferExactly(nativeRule("contains: \"42\""), "1420")); // a substring of "1420"
        assertThat(transferExactly(agtRule("contains", "'42'"), "1420").failure()).as("'42' in 1420 is Python's TypeError")
                .isEqualTo(Decision.Failure.CONDITION_ERROR);
        assertReadingsDisagree(transferExactly(agtRule("contains", "'42'"), "[42]")); // '42' in ['42'] to a List[str]
        // An allow list of account names is not widened: 7 is "7" to the upstream, which the list holds.
        CompiledPolicy onlyAccount7 = nativeRule("not_in: [\"7\"]");
        assertReadingsDisagree(transferExactly(onlyAccount7, "7"));
        assertThat(transferExactly(onlyAccount7, "\"7\"").isDenied()).isFalse();
        // Numbers no text reading makes the string keep their decision.
        assertThat(transferExactly(nativeRule("eq: \"42\""), "43").isDenied()).isFalse();
        assertThat(transferExactly(nativeRule("eq: \"42\""), "43.5").isDenied()).isFalse();
        assertThat(transferExactly(nativeRule("contains: \"42\""), "[43]").isDenied()).isFalse();
        assertThat(transferExactly(agtRule("eq", "'42'"), "43").isDenied()).isFalse();
        // A rule naming a number decides as before.
        assertThat(transferExactly(nativeRule("eq: 42"), "42").failure()).isEqualTo(Decision.Failure.NONE);
    }

    @Test
    void integersCodeWrapsRoundsOrParsesCannotReachTheFrozenAccount() throws Exception {
        // ((Number) args.get("to")).intValue() of the SDK's Long, x | 0: 2^32 + 42 is 42.
        assertReadingsDisagree(transferExactly(nativeRule("eq: 42"), "4294967338"));
        assertReadingsDisagree(transferExactly(nativeRule("eq: -42"), "-4294967338"));
        assertReadingsDisagree(transferExactly(agtRule("eq", "42"), "4294967338"));
        // BigInteger.longValue(): 2^64 + 42 is 42.
        assertReadingsDisagree(transferExactly(nativeRule("eq: 42"), "18446744073709551658"));
        // Math.round, Math.ceil, round(): 41.6 and 41.5 are 42 to some of them.
        assertReadingsDisagree(transferExactly(nativeRule("eq: 42"), "41.6"));
        assertReadingsDisagree(transferExactly(nativeRule("in: [42]"), "41.5"));
        assertReadingsDisagree(transferExactly(nativeRule("eq: -43"), "-42.5")); // Math.floor
        // parseInt: the integer a text starts with, hexadecimal after 0x.
        for (String spelled : new String[]{"\"42abc\"", "\"42 Main St\"", "\"0x2A\"", "\" -0X2a\"".replace("-", ""), "\"\u00a042px\"",
                "\"" + "0".repeat(80) + "42abc\""}) {
            assertReadingsDisagree(transferExactly(nativeRule("eq: 42"), spelled));
            assertReadingsDisagree(transferExactly(agtRule("in", "[41, 42]"), spelled));
        }
        // Number(): other bases, and a blank string is 0.
        assertReadingsDisagree(transferExactly(nativeRule("eq: 42"), "\"0o52\""));
        assertReadingsDisagree(transferExactly(nativeRule("eq: 42"), "\"0b101010\""));
        assertReadingsDisagree(transferExactly(nativeRule("eq: 0"), "\"\""));
        assertReadingsDisagree(transferExactly(nativeRule("eq: 0"), "\"  \""));
        // An allow list of accounts is not widened by a wrapped value either.
        CompiledPolicy onlyAccount7 = nativeRule("ne: 7");
        assertReadingsDisagree(transferExactly(onlyAccount7, "4294967303"));
        // Values no reading makes 42 keep their decision.
        for (String other : new String[]{"43", "4294967339", "40.5", "\"43abc\"", "\"abc42\"", "\"0x2B\"", "\"0x\"", "\"x\""}) {
            assertThat(transferExactly(nativeRule("eq: 42"), other).isDenied()).as(other).isFalse();
        }
        assertThat(transferExactly(nativeRule("eq: \"42abc\""), "\"42abc\"").failure()).as("a rule naming the string")
                .isEqualTo(Decision.Failure.NONE);
    }

    @Test
    void aStringAnIntegerFieldReadsAsTheNamedAccountCannotReachIt() throws Exception {
        // The rule names the account as text; an upstream parsing the field into an integer reads all of these as 42.
        for (String spelled : new String[]{"\"042\"", "\" 42\"", "\"+42\"", "\"4.2e1\"", "\"42abc\"", "\"0x2A\"", "42.5"}) {
            assertReadingsDisagree(transferExactly(nativeRule("eq: \"42\""), spelled));
            assertReadingsDisagree(transferExactly(nativeRule("in: [\"41\", \"42\"]"), spelled));
            assertReadingsDisagree(transferExactly(agtRule("eq", "'42'"), spelled));
            assertReadingsDisagree(transferExactly(agtRule("in", "['41', '42']"), spelled));
        }
        assertReadingsDisagree(transferExactly(nativeRule("eq: \"042\""), "\"42\"")); // the rule's own spelling, padded
        assertThat(transferExactly(nativeRule("eq: \"42\""), "\"42\"").failure()).isEqualTo(Decision.Failure.NONE);
        assertThat(transferExactly(nativeRule("eq: \"42\""), "\"42\"").isDenied()).isTrue();
        for (String other : new String[]{"\"43\"", "\"hello\"", "\"4.3e1\"", "43"}) {
            assertThat(transferExactly(nativeRule("eq: \"42\""), other).isDenied()).as(other).isFalse();
            assertThat(transferExactly(agtRule("eq", "'42'"), other).isDenied()).as(other).isFalse();
        }
        // A string naming a fraction is no integer an integer reader makes; a substring test stays one.
        assertThat(transferExactly(nativeRule("eq: \"4.2\""), "\"4.20\"").isDenied()).isFalse();
        assertThat(transferExactly(agtRule("in", "'x42y'"), "\"042\"").failure()).isEqualTo(Decision.Failure.NONE);
    }

    @Test
    void listsAndOtherWritingsAStringFieldKeepsCannotReachTheFrozenAccount() throws Exception {
        // JavaScript's String(["42"]), a template string, zod's z.coerce.string(): a list is its elements joined.
        assertReadingsDisagree(transferExactly(nativeRule("eq: \"42\""), "[\"42\"]"));
        assertReadingsDisagree(transferExactly(nativeRule("eq: \"42\""), "[42]"));
        assertReadingsDisagree(transferExactly(nativeRule("eq: \"41,42\""), "[41, [42]]"));
        assertReadingsDisagree(transferExactly(nativeRule("contains: \"42\""), "[\"4\", 420]"));
        assertReadingsDisagree(transferExactly(agtRule("eq", "'42'"), "[\"42\"]"));
        // String(1953029976007279401) is "1953029976007279400": shortest digits, not Java 17's.
        assertReadingsDisagree(transferExactly(nativeRule("eq: \"1953029976007279400\""), "1953029976007279401"));
        assertReadingsDisagree(transferExactly(agtRule("eq", "'1953029976007279400'"), "1953029976007279401"));
        // Python's str(1e7) is "10000000.0"; pydantic v1's List[str] of [1e3, 42.0] is ["1000.0", "42.0"].
        assertReadingsDisagree(transferExactly(nativeRule("eq: \"10000000.0\""), "1e7"));
        assertReadingsDisagree(transferExactly(nativeRule("eq: [\"1000.0\", \"42\"]"), "[1e3, 42.0]"));
        // AGT's in of a mapping looks the value up among its keys.
        assertReadingsDisagree(transferExactly(agtRule("in", "{'42': 1}"), "42"));
    }

    @Test
    void aRuleListingNumbersAndStringsKeepsItsDecisionOnANumberItLists() throws Exception {
        // The exact value is listed: the number 1 is not refused because its text "1" is not in the list as a string.
        CompiledPolicy listed = nativeRule("not_in: [1, 2, \"auto\"]");
        assertThat(transferExactly(listed, "1").isDenied()).isFalse();
        assertThat(transferExactly(listed, "\"auto\"").isDenied()).isFalse();
        assertThat(transferExactly(listed, "3").failure()).isEqualTo(Decision.Failure.NONE);
        CompiledPolicy agtListed = PolicyFixtures.policy("""
                version: "1.0"
                name: agt-listed
                defaults: {action: deny}
                rules:
                  - name: listed
                    condition: {field: to, operator: in, value: [1, 2, auto, true]}
                    action: allow
                """);
        assertThat(transferExactly(agtListed, "1").isDenied()).isFalse();
        assertThat(transferExactly(agtListed, "true").isDenied()).isFalse();
    }

    @Test
    void secondReviewReadingsCannotReachTheFrozenAccount() throws Exception {
        // x | 0 and intValue() of the integer part: fractions, integral decimals and numeric strings wrap too.
        for (String spelled : new String[]{"4294967338.0", "4294967338.5", "4.294967338e9", "\"4294967338\""}) {
            assertReadingsDisagree(transferExactly(nativeRule("eq: 42"), spelled));
        }
        assertReadingsDisagree(transferExactly(agtRule("eq", "42"), "4294967338.0"));
        // Number() of a string is a double; parseInt's result too; Math.round(Number("42.6")) is 43.
        assertReadingsDisagree(transferExactly(nativeRule("eq: 9007199254740992"), "\"9007199254740993\""));
        assertReadingsDisagree(transferExactly(agtRule("eq", "9007199254740992"), "\"9007199254740993\""));
        assertReadingsDisagree(transferExactly(nativeRule("eq: \"9007199254740992\""), "\"9007199254740993\""));
        assertReadingsDisagree(transferExactly(nativeRule("eq: 9007199254740992"), "\"9007199254740993abc\""));
        assertReadingsDisagree(transferExactly(nativeRule("eq: 43"), "\"42.99999999999999999\""));
        assertReadingsDisagree(transferExactly(nativeRule("eq: 43"), "\"42.6\""));
        // contains of an integer on a list is membership: a List<Long> reads ["42"], [42.5] and [4294967338] as holding 42.
        for (String list : new String[]{"[\"42\"]", "[42.5]", "[4294967338]"}) {
            assertReadingsDisagree(transferExactly(nativeRule("contains: 42"), list));
            assertReadingsDisagree(transferExactly(agtRule("contains", "42"), list));
        }
        assertThat(transferExactly(nativeRule("contains: 42"), "[43, \"x\"]").isDenied()).isFalse();
        assertThat(transferExactly(nativeRule("contains: 42"), "\"ref-420\"").failure()).isEqualTo(Decision.Failure.NONE);
    }

    @Test
    void explainSaysWhichTextAStringFieldKeeps() {
        Explanation explanation = nativeRule("eq: \"42\"").explain(toolCall("transfer", "{\"to\":42}"));

        assertThat(explanation.decision().failure()).isEqualTo(Decision.Failure.NUMBER_READINGS_DISAGREE);
        assertThat(explanation.render()).contains("argument at /to, 42 (\"42\" to a string field)");
    }

    @Test
    void orderingsAndPatternsOnFractionsAreNotDecidedOnTheIntegerPart() throws Exception {
        // An upstream comparing top_p with 0.1 reads a float: 0.9 is not below 0.1, whatever int(0.9) is.
        assertThat(transferExactly(nativeRule("lt: 0.1"), "0.9").isDenied()).isFalse();
        assertThat(transferExactly(nativeRule("lte: 0"), "0.5").isDenied()).as("payments under 1 are not refused").isFalse();
        assertThat(transferExactly(nativeRule("gt: 100"), "19.99").isDenied()).as("cents are not refused").isFalse();
        assertThat(transferExactly(nativeRule("gt: 100"), "100.5").failure()).isEqualTo(Decision.Failure.NONE);
        assertThat(transferExactly(nativeRule("gt: 100"), "100.5").isDenied()).isTrue();
        assertThat(transferExactly(nativeRule("matches: '^2\\.'"), "2.5").failure()).isEqualTo(Decision.Failure.NONE);
        assertThat(transferExactly(agtRule("matches", "'^2\\.'"), "2.5").failure()).isEqualTo(Decision.Failure.NONE);
        assertThat(transferExactly(nativeRule("in: [0.25, 0.5]"), "0.5").failure()).as("a list of fractions names no integer")
                .isEqualTo(Decision.Failure.NONE);
        assertThat(transferExactly(nativeRule("eq: 42"), "43.5").isDenied()).isFalse();
    }

    @Test
    void explainSaysWhichValueAnIntegerFieldReadsOtherwise() {
        Explanation explanation = nativeRule("eq: 42").explain(toolCall("transfer", "{\"to\":42.5}"));

        assertThat(explanation.decision().failure()).isEqualTo(Decision.Failure.NUMBER_READINGS_DISAGREE);
        assertThat(explanation.render()).contains("argument at /to, 42.5 (42 to an integer field)");
    }

    @Test
    void claimsHaveOneReading() {
        // A claim reaches no upstream through JSON.parse: an allow rule on a 64-bit claim keeps deciding exactly.
        CompiledPolicy policy = PolicyFixtures.policy("""
                version: "1.0"
                name: agt-claims
                defaults: {action: deny}
                rules:
                  - name: the-one-user
                    condition: {field: uid, operator: eq, value: %s}
                    action: allow
                """.formatted(ROUNDS_TO_BLOCKED));
        Identity acme = PolicyFixtures.ACME;
        Identity caller = new Identity(acme.spiffeId(), acme.tenant(), acme.agent(), acme.run(), acme.subUser(), acme.parent(),
                acme.tree(), acme.capabilities(), java.util.Map.of("uid", Long.parseLong(ROUNDS_TO_BLOCKED)));

        Decision decision = policy.evaluate(toolCall("transfer", "{}", caller));

        assertThat(decision.isDenied()).isFalse();
    }

    @Test
    void explainSaysWhichValueReadsTwoWays() {
        Explanation explanation = nativeRule("eq: " + BLOCKED).explain(toolCall("transfer", "{\"to\":" + ROUNDS_TO_BLOCKED + "}"));

        assertThat(explanation.decision().failure()).isEqualTo(Decision.Failure.NUMBER_READINGS_DISAGREE);
        assertThat(explanation.render()).contains("argument at /to, " + ROUNDS_TO_BLOCKED + " (" + BLOCKED + " as a double)");
    }

    // Attacker's catalog (the ninth session's review): values an upstream reads as the denied integer through two steps
    // (a double then a wrap, a rounding then a wrap) or through text the readings did not trim or read.

    // JS `x | 0` wraps the DOUBLE: 4294967337.99999999999 is the double 4294967338, |0 = 42.
    @Test
    void wrapOfTheDoubleReadingNative() {
        assertThat(transferTo(nativeRule("eq: 42"), "4294967337.99999999999").isDenied()).isTrue();
    }

    @Test
    void wrapOfTheDoubleReadingAgt() {
        assertThat(transferTo(agtRule("eq", "42"), "4294967337.99999999999").isDenied()).isTrue();
    }

    // Same class, a large integer: 9007199254741035 (2^53+43) is the double 2^53+44, |0 = 44.
    @Test
    void wrapOfTheDoubleOfALargeInteger() {
        assertThat(transferTo(nativeRule("eq: 44"), "9007199254741035").isDenied()).isTrue();
    }

    // Ceil/round then wrap: Math.round(4294967337.5) | 0 = 42.
    @Test
    void wrapOfTheRoundedReading() {
        assertThat(transferTo(nativeRule("eq: 42"), "4294967337.5").isDenied()).isTrue();
    }

    // JS Number("4.2e00000000001") is 42 (also Python float(), Java BigDecimal): the exponent's leading zeros are not counted.
    @Test
    void exponentWithLeadingZeros() {
        assertThat(transferTo(nativeRule("eq: 42"), "\"4.2e00000000001\"").isDenied()).isTrue();
    }

    // JS Number() trims U+FEFF (BOM); Number("\uFEFF42.99999999999999999") is 43.
    @Test
    void byteOrderMarkBeforeADecimalForNumber() {
        assertThat(transferTo(nativeRule("eq: 43"), "\"\\uFEFF42.99999999999999999\"").isDenied()).isTrue();
    }

    // Math.round(Number("\uFEFF42.6")) is 43.
    @Test
    void byteOrderMarkBeforeADecimalForRounding() {
        assertThat(transferTo(nativeRule("eq: 43"), "\"\\uFEFF42.6\"").isDenied()).isTrue();
    }

    // Python int("\U0001D7D2\U0001D7D0") is 42 (decimal digits outside the basic plane).
    @Test
    void supplementaryPlaneDigitsForPythonInt() {
        assertThat(transferTo(nativeRule("eq: 42"), "\"\\ud835\\udfd2\\ud835\\udfd0\"").isDenied()).isTrue();
    }

    // Python int("\x8542") is 42 (U+0085 NEL is whitespace to str.strip).
    @Test
    void nextLineBeforeDigitsForPythonInt() {
        assertThat(transferTo(nativeRule("eq: 42"), "\"\\u008542\"").isDenied()).isTrue();
    }

    // Controls: the readings the guards of 1dc0936 skip nothing of.
    @Test
    void guardControls() {
        assertThat(transferTo(nativeRule("eq: 42"), "4294967338").isDenied()).isTrue();
        assertThat(transferTo(nativeRule("eq: \"42\""), "42").isDenied()).isTrue();
        assertThat(transferTo(nativeRule("eq: \"42\""), "[42]").isDenied()).isTrue();
        assertThat(transferTo(nativeRule("eq: 42"), "\"0x2A\"").isDenied()).isTrue();
        assertThat(transferTo(agtRule("in", "[\"41\", \"42\"]"), "42").isDenied()).isTrue();
        assertThat(transferTo(agtRule("contains", "42"), "[\"42\"]").isDenied()).isTrue();
        assertThat(transferTo(agtRule("eq", "42"), "4294967338").isDenied()).isTrue();
    }
}
