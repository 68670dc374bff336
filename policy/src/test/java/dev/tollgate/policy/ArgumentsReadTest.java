package dev.tollgate.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The argument members a policy's rules may read: what a replay checks a record's redacted members against (review BD). */
class ArgumentsReadTest {

    @Test
    void argumentConditionsNameTheirPointersThroughEveryComposite() {
        CompiledPolicy policy = PolicyFixtures.policy("""
                name: p
                defaults: {action: allow}
                rules:
                  - name: a
                    condition: {all: [{tool: deploy}, {any: [{arg: {path: /target, eq: prod}}, {not: {arg: {path: /opts/a~1b, eq: 1}}}]}]}
                    action: deny
                  - name: b
                    condition: {all: [{tool: t}, {time: {after: "09:00", before: "17:00"}}]}
                    action: deny
                """);
        assertThat(policy.argumentsRead()).containsExactly("/opts/a~1b", "/target");
    }

    @Test
    void aPolicyReadingNoArgumentNamesNone() {
        CompiledPolicy policy = PolicyFixtures.policy("""
                name: p
                defaults: {action: allow}
                rules:
                  - {name: a, condition: {tool: deploy}, action: deny}
                """);
        assertThat(policy.argumentsRead()).isEmpty();
    }
}
