package dev.tollgate.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import dev.tollgate.gateway.support.Cli;

class VerifyCommandTest {

    @TempDir
    Path dir;

    @Test
    void validConfigExitsZero() {
        Cli.Result result = Cli.run("verify", "--config", "../conf/gateway.yaml");

        assertThat(result.exit()).isZero();
        assertThat(result.out()).contains("OK: ../conf/gateway.yaml is valid", "policy tests: 9 passed, 0 failed");
    }

    @Test
    void warnsWhenNoAdminTokenIsSetOnLoopbackAndOffIt() throws Exception {
        Path loopback = dir.resolve("loopback.yaml");
        Files.writeString(loopback, """
                listeners: [{name: public, port: 8080}]
                admin: {host: 127.0.0.1, port: 9090}
                routes: [{name: r, path: /mcp, protocol: mcp, upstream: "http://127.0.0.1:1/mcp"}]
                """);
        Path everywhere = dir.resolve("everywhere.yaml");
        Files.writeString(everywhere, Files.readString(loopback).replace("127.0.0.1, port: 9090", "0.0.0.0, port: 9090"));
        Path withToken = dir.resolve("token.yaml");
        Files.writeString(withToken, Files.readString(everywhere).replace("port: 9090}", "port: 9090, token: 0123456789abcdef0123}"));

        Cli.Result open = Cli.run("verify", "--config", loopback.toString());
        Cli.Result refused = Cli.run("verify", "--config", everywhere.toString());
        Cli.Result quiet = Cli.run("verify", "--config", withToken.toString());

        assertThat(open.exit()).isZero();
        assertThat(open.out()).contains("warning: admin.token is not set: POST /explain and POST /reload on 127.0.0.1:9090 are open to every local process");
        assertThat(refused.exit()).as("a warning, not an error").isZero();
        assertThat(refused.out()).contains("warning: admin.token is not set and admin.host 0.0.0.0 is not a loopback address",
                "refused (403 admin_token_not_configured)");
        assertThat(quiet.exit()).isZero();
        assertThat(quiet.out()).doesNotContain("admin.token").doesNotContain("0123456789abcdef0123");
    }

    @Test
    void invalidConfigPrintsFileLineAndFieldAndExitsOne() throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, """
                listeners:
                  - name: public
                    port: 8080
                routes:
                  - name: r
                    path: /mcp
                    protocol: mcp
                    upstream: not-a-url
                """);

        Cli.Result result = Cli.run("verify", "--config", bad.toString());

        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.err()).contains(bad + ":8: routes[0].upstream: must be an absolute http or https URL");
    }

    @Test
    void failingPolicyTestCaseFailsVerification() throws Exception {
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), "name: p\ndefaults: {action: allow}\nrules:\n  - name: no-x\n    condition: {tool: x}\n    action: deny\n");
        Files.writeString(dir.resolve("policies/p.tests.yaml"), """
                tests:
                  - name: x is blocked
                    policy: p
                    call: {tool: x}
                    expect: {action: deny, rule: no-x}
                  - name: wrongly expects y blocked
                    policy: p
                    call: {tool: y}
                    expect: {action: deny}
                """);
        Path config = dir.resolve("gateway.yaml");
        Files.writeString(config, """
                listeners: [{name: public, port: 8080}]
                policies: {directory: policies}
                routes: [{name: r, path: /mcp, protocol: mcp, upstream: "http://127.0.0.1:1/mcp", policy: p}]
                """);

        Cli.Result result = Cli.run("verify", "--config", config.toString());

        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.err()).contains("FAIL", "p.tests.yaml:6", "wrongly expects y blocked", "expected DENY, got ALLOW (default)");
        assertThat(result.out()).contains("policy tests: 1 passed, 1 failed");
    }

    @Test
    void agtDocumentIsSelectedByItsNameAndItsWarningsArePrinted() throws Exception {
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/agt.yaml"), """
                version: "1.0"
                name: contoso-bank-policy
                rules:
                  - name: block-exec
                    condition: {field: tool_name, operator: eq, value: execute_code}
                    action: block
                    priority: "100"
                """);
        Files.writeString(dir.resolve("policies/agt.tests.yaml"), """
                tests:
                  - name: block is deny
                    policy: contoso-bank-policy
                    call: {tool: execute_code}
                    expect: {action: deny, rule: block-exec}
                  - name: omitted defaults deny, as in AGT 5.0.0 (4.1.0 allowed)
                    policy: contoso-bank-policy
                    call: {tool: read}
                    expect: {action: deny}
                """);
        Path config = dir.resolve("gateway.yaml");
        Files.writeString(config, """
                listeners: [{name: public, port: 8080}]
                policies: {directory: policies}
                routes: [{name: r, path: /mcp, protocol: mcp, upstream: "http://127.0.0.1:1/mcp", policy: contoso-bank-policy}]
                """);

        Cli.Result result = Cli.run("verify", "--config", config.toString());

        assertThat(result.exit()).isZero();
        assertThat(result.out()).contains("warning: " + dir.resolve("policies/agt.yaml") + ":1: no defaults.action",
                "denied, as in AGT 5.0.0", "defaults: {action: allow}",
                "policy tests: 2 passed, 0 failed");
    }

    @Test
    void routeNamingAMissingPolicyIsAnError() throws Exception {
        Files.createDirectories(dir.resolve("policies"));
        Path config = dir.resolve("gateway.yaml");
        Files.writeString(config, """
                listeners: [{name: public, port: 8080}]
                policies: {directory: policies}
                routes: [{name: r, path: /mcp, protocol: mcp, upstream: "http://127.0.0.1:1/mcp", policy: ghost}]
                """);

        Cli.Result result = Cli.run("verify", "--config", config.toString());

        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.err()).contains("routes[0].policy: no policy named 'ghost'");
    }

    @Test
    void explainPrintsEveryRuleAndWhy() {
        Cli.Result result = Cli.run("explain", "-c", "../conf/gateway.yaml", "--route", "everything",
                "--call", "{\"tool\":\"read_secret\",\"arguments\":{\"key\":\"db\"}}", "--identity", "{\"tenant\":\"beta\"}");

        assertThat(result.exit()).isEqualTo(3);
        assertThat(result.out()).contains("decision: DENY", "rule:     secrets-only-for-acme",
                "block-destructive-shell [priority 100]: tool 'read_secret' does not match 'shell_*'",
                "=> secrets-only-for-acme", "record-sampling [priority 10]: not reached");
    }
}
