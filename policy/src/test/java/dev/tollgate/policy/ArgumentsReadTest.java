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

    @Test
    void perToolTheRulesThatCanApplyToItsCallsRead() {
        // Fix FX1 (review CJ): the argument-name check holds a call to the names its own rules read, not another tool's.
        CompiledPolicy policy = PolicyFixtures.policy("""
                name: p
                defaults: {action: allow}
                rules:
                  - {name: a, condition: {all: [{tool: wipe}, {arg: {path: /mode, eq: DESTROY}}]}, action: deny}
                  - {name: b, condition: {all: [{tool: put_object}, {arg: {path: /Mode, eq: GOVERNANCE}}]}, action: deny}
                  - {name: c, condition: {arg: {path: /dry_run, eq: false}}, action: deny}
                """);
        assertThat(policy.argumentsRead("wipe")).containsExactly("/dry_run", "/mode");
        assertThat(policy.argumentsRead("put_object")).containsExactly("/Mode", "/dry_run");
        assertThat(policy.argumentsRead("label")).containsExactly("/dry_run");
        assertThat(policy.argumentsRead(null)).containsExactly("/dry_run");
    }
}
