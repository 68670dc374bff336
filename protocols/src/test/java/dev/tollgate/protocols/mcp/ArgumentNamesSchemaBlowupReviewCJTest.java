package dev.tollgate.protocols.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Review CJ (medium: a hostile or buggy upstream stalls an event loop): {@code ArgumentNames.of}, run on every listed
 * tool's input schema when a {@code tools/list} answer passes the gateway ({@code McpResponseFilter} ->
 * {@code DeclaredEnums.learn} -> {@code ToolInputs.of}, on the event loop), follows each {@code $ref} and every
 * {@code anyOf}/{@code allOf}/{@code oneOf} branch with no budget: only its depth (16) and the count of property names
 * (2,000) bound it, and a branch holding no property counts nothing. A schema of a few hundred bytes whose property is an
 * {@code anyOf} of 40 references back to itself is walked 40^8 times over (the closed-set reader, {@code ToolEnums}, and
 * {@code ToolDefaults} both have step budgets and give up at once). The walk is counted here by the schema's own nodes,
 * and cut off (a node throws) once it is far past any bound a reader of such a schema needs.
 */
class ArgumentNamesSchemaBlowupReviewCJTest {

    private static final long CUT_OFF = 20_000_000;
    private static final AtomicLong READS = new AtomicLong();

    /** An object node counting the members read from it, throwing once the walk is cut off. */
    private static final class CountingObjectNode extends ObjectNode {
        CountingObjectNode(JsonNodeFactory factory) {
            super(factory);
        }

        @Override
        public JsonNode get(String name) {
            if (READS.incrementAndGet() > CUT_OFF) {
                throw new IllegalStateException("walk cut off");
            }
            return super.get(name);
        }
    }

    private static final ObjectMapper COUNTED = new ObjectMapper().setNodeFactory(new JsonNodeFactory() {
        @Override
        public ObjectNode objectNode() {
            return new CountingObjectNode(this);
        }
    });

    @Test
    void aSmallSchemaReferringBackToItselfIsReadWithinABudget() throws Exception {
        StringBuilder refs = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            refs.append(i == 0 ? "" : ",").append("{\"$ref\":\"#/properties/a\"}");
        }
        JsonNode schema = COUNTED.readTree("{\"type\":\"object\",\"properties\":{\"a\":{\"anyOf\":[" + refs + "]}}}");
        assertThat(schema.toString().length()).as("a small schema").isLessThan(1_200);

        READS.set(0);
        ArgumentNames.of(schema);
        assertThat(READS.get()).as("schema members read to learn the argument names of a one-property schema (the walk is cut off at %d)",
                CUT_OFF).isLessThan(1_000_000);
    }
}
