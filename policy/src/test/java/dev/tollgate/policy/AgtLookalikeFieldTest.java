package dev.tollgate.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.policy.agt.AgtImporter;
import dev.tollgate.policy.agt.ImportResult;
import dev.tollgate.policy.check.CheckRegistry;
import dev.tollgate.policy.yaml.LocatedYaml;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An AGT field spelt like a gateway field but not one ({@code Tenant} for {@code tenant}) reads the caller's claims,
 * then the call's arguments, as AGT reads any other name: a caller then chooses the value the author meant the
 * gateway to supply. The names stay exact (AGT's context is a dict), so the loader and {@code import-agt} say so.
 */
class AgtLookalikeFieldTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static String document(String field) {
        return "name: p\ndefaults: {action: deny}\nrules:\n  - name: acme-only\n"
                + "    condition: {field: " + field + ", operator: eq, value: acme}\n    action: allow\n";
    }

    @ParameterizedTest
    @ValueSource(strings = {"Tenant", "TENANT", "client-id", "Tool_Name", "oauth-sub"})
    void aFieldSpeltLikeAGatewayFieldLoadsWithAWarningNamingTheRealOne(String field) throws Exception {
        CompiledPolicy policy = PolicyLoader.parse(document(field), "agt.yaml", CheckRegistry.withDefaults());
        String meant = field.toLowerCase().replace('-', '_');
        assertThat(policy.warnings()).anySatisfy(w -> {
            assertThat(w.field()).isEqualTo("rules[0].condition.field");
            assertThat(w.message()).contains("'" + field + "'", "not the gateway's '" + meant + "'", "the caller chooses");
        });
        // Why it is worth a warning: the caller's own argument decides the rule.
        Decision decision = policy.evaluate(new PolicyRequest(CallDescription.mcpToolCall("r", "t",
                JSON.createObjectNode().put(field, "acme")), Identity.ANONYMOUS, Instant.EPOCH, new AssumedFacts(0, 0, false)));
        assertThat(decision.action()).isEqualTo(Action.ALLOW);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tenant", "amount", "tenant_name", "recipient"})
    void exactGatewayFieldsAndOtherNamesLoadWithoutIt(String field) throws Exception {
        CompiledPolicy policy = PolicyLoader.parse(document(field), "agt.yaml", CheckRegistry.withDefaults());
        assertThat(policy.warnings()).noneSatisfy(w -> assertThat(w.message()).contains("is not the gateway's"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Tenant", "client-id"})
    void importAgtNotesItToo(String field) throws Exception {
        ImportResult result = AgtImporter.convert(LocatedYaml.parse(document(field)).root());
        assertThat(result.notes()).anySatisfy(n -> assertThat(n).contains("'" + field + "'", "is not the gateway's"));
    }
}
