package dev.tollgate.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.policy.check.CheckRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Protocol names are compared exactly, and calls carry them in lower case: a rule written {@code protocol: A2A}
 * matched no call, so a deny rule scoped to a protocol was silently inert. Such a rule is a load error now.
 */
class ProtocolNameTest {

    private static String denyAdminSkillsOn(String protocol) {
        return """
                name: agents
                defaults: {action: allow}
                rules:
                  - name: no-admin-skills
                    condition:
                      all:
                        - protocol: %s
                        - method: "message/*"
                    action: deny
                """.formatted(protocol);
    }

    private static PolicyRequest a2aMessage() {
        return new PolicyRequest(new CallDescription("a2a", "agents", "message/send", null, null, null,
                PolicyFixtures.json("{}"), CallDescription.CLIENT_TO_SERVER), Identity.ANONYMOUS, Instant.parse("2026-12-07T10:00:00Z"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"A2A", "Mcp", "[a2a, HTTP]", "grpc", "\"A*\""})
    void aProtocolNamingNoCallIsALoadErrorWithItsPlace(String protocol) {
        assertThatThrownBy(() -> PolicyLoader.parse(denyAdminSkillsOn(protocol), "agents.yaml", CheckRegistry.withDefaults()))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining("agents.yaml:7: rules[0].condition.all[0].protocol")
                .hasMessageContaining("matches no protocol; the protocols are mcp and a2a (lower case)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a2a", "[a2a]", "\"a*\"", "\"*\"", "[mcp, a2a]"})
    void aProtocolNamingACallLoadsAndDecides(String protocol) throws Exception {
        CompiledPolicy policy = PolicyLoader.parse(denyAdminSkillsOn(protocol), "agents.yaml", CheckRegistry.withDefaults());
        assertThat(policy.evaluate(a2aMessage()).enforcedDeny()).isTrue();
    }

    @Test
    void aTestCaseForAProtocolNoCallHasIsReportedWithItsLine(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("agents.yaml"), denyAdminSkillsOn("a2a"));
        Files.writeString(dir.resolve("agents.tests.yaml"), """
                tests:
                  - name: upper case protocol
                    policy: agents
                    call: {protocol: A2A, method: message/send}
                    expect: {action: allow}
                """);
        PolicyBundle bundle = PolicyLoader.loadDirectory(dir, CheckRegistry.withDefaults());

        assertThatThrownBy(() -> PolicyTestRunner.run(bundle, dir))
                .isInstanceOfSatisfying(PolicyException.class, e -> assertThat(e.problems()).extracting(PolicyProblem::toString)
                        .anySatisfy(p -> assertThat(p).contains("agents.tests.yaml:4: tests[0].call.protocol: protocol is mcp or a2a")));
    }
}
