package dev.tollgate.policy.agt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Where a native {@code arg}/{@code claim} leaf reads the value an AGT field names. */
sealed interface ValueSource permits ValueSource.Claim, ValueSource.Argument {

    /** {@code {claim: {name: tenant, eq: acme}}} or {@code {arg: {path: /amount, gt: 5000}}}. */
    JsonNode leaf(String operator, JsonNode operand);

    /** Holds when the value is present and not null: AGT's precondition for every operator. */
    default JsonNode present() {
        return leaf("exists", Nodes.F.booleanNode(true));
    }

    default JsonNode absent() {
        return leaf("exists", Nodes.F.booleanNode(false));
    }

    record Claim(String name) implements ValueSource {
        @Override
        public JsonNode leaf(String operator, JsonNode operand) {
            ObjectNode test = Nodes.F.objectNode().put("name", name);
            test.set(operator, operand);
            return Nodes.single("claim", test);
        }
    }

    /** The top-level argument {@code name} (AGT reads {@code tool_args[name]}), as a JSON pointer. */
    record Argument(String name) implements ValueSource {
        @Override
        public JsonNode leaf(String operator, JsonNode operand) {
            return at("/" + escape(name), operator, operand);
        }

        /** Holds when the argument is a mapping with {@code key} (whose value is not null). */
        JsonNode hasKey(String key) {
            return at("/" + escape(name) + "/" + escape(key), "exists", Nodes.F.booleanNode(true));
        }

        private static JsonNode at(String pointer, String operator, JsonNode operand) {
            ObjectNode test = Nodes.F.objectNode().put("path", pointer);
            test.set(operator, operand);
            return Nodes.single("arg", test);
        }

        private static String escape(String token) {
            return token.replace("~", "~0").replace("/", "~1");
        }
    }
}
