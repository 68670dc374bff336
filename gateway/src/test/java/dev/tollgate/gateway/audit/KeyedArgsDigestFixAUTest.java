package dev.tollgate.gateway.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.support.Cli;
import dev.tollgate.gateway.support.ScriptedMcpGateway;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fix AU, finding 2: a record's {@code args_digest} was a plain SHA-256 of the (redacted, canonical) arguments, so
 * arguments of few values (a yes/no flag, an account id) were given back to whoever read the log by hashing every
 * candidate. It is keyed as finding digests are ({@code hmac-sha256:}, under {@code audit.digest-key-file}, else
 * {@code audit.key-file}); {@code tollgate audit digest --key FILE --arguments} computes it for its key's holder, and
 * {@code tollgate replay --key FILE} checks each record's arguments against it, saying so when it has no key. Real CLI.
 */
class KeyedArgsDigestFixAUTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String POLICY = """
            name: p
            defaults: {action: allow}
            rules:
              - name: no-transfers-out
                condition: {all: [{tool: transfer}, {arg: {path: /account, matches: "^47"}}]}
                action: deny
            """;
    private static final String CANONICAL = "{\"account\":\"4711\",\"confirm\":true}";

    @TempDir
    Path dir;
    private ScriptedMcpGateway rig;

    @AfterEach
    void stop() throws Exception {
        if (rig != null) {
            rig.close();
        }
    }

    private Path record(String arguments) throws Exception {
        Path key = dir.resolve("audit.key");
        Files.writeString(key, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n");
        Files.createDirectories(dir.resolve("policies-copy"));
        Files.writeString(dir.resolve("policies-copy").resolve("p.yaml"), POLICY);
        rig = ScriptedMcpGateway.start(dir, POLICY, "audit: {directory: " + dir.resolve("audit") + ", key-file: " + key + ", arguments: " + arguments + "}");
        rig.answerJson("{\"jsonrpc\":\"2.0\",\"id\":ID,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"ok\"}]}}");
        rig.post("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"transfer\",\"arguments\":{\"confirm\":true,\"account\":\"4711\"}}}");
        rig.close();
        rig = null;
        return key;
    }

    private JsonNode firstRecord() throws Exception {
        return JSON.readTree(Files.readAllLines(AuditFiles.file(dir.resolve("audit"), 1)).get(0));
    }

    private static String sha256(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static Cli.Result withInput(String input, String... args) {
        InputStream in = System.in;
        try {
            System.setIn(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
            return Cli.run(args);
        } finally {
            System.setIn(in);
        }
    }

    @Test
    void theArgumentsDigestIsKeyedAndNotAPlainHashAnyoneCanRecompute() throws Exception {
        Path key = record("digest");

        String recorded = firstRecord().path("args_digest").asText();

        assertThat(recorded).isNotEqualTo(sha256(CANONICAL)).doesNotContain(sha256(CANONICAL));
        assertThat(recorded).startsWith("hmac-sha256:");
        Cli.Result byCli = withInput("{\"confirm\":true,\"account\":\"4711\"}\n", "audit", "digest", "--key", key.toString(), "--arguments");
        assertThat(byCli.exit()).as(byCli.err()).isZero();
        assertThat(byCli.out().strip()).isEqualTo(recorded);
        Cli.Result guess = withInput("{\"confirm\":false,\"account\":\"4711\"}\n", "audit", "digest", "--key", key.toString(), "--arguments");
        assertThat(guess.out().strip()).isNotEqualTo(recorded);
    }

    @Test
    void replayChecksTheArgumentsAgainstTheKeyedDigestWithTheKeyAndSaysWhenItHasNone() throws Exception {
        Path key = record("full");
        String policies = dir.resolve("policies-copy").toString();
        String audit = dir.resolve("audit").toString();

        Cli.Result keyed = Cli.run("replay", "--audit", audit, "--policies", policies, "--key", key.toString());
        assertThat(keyed.exit()).as(keyed.out() + keyed.err()).isZero();
        assertThat(keyed.out()).contains("replayed 1 decision(s): 1 unchanged").doesNotContain("not checked").doesNotContain("warning");

        Cli.Result unkeyed = Cli.run("replay", "--audit", audit, "--policies", policies);
        assertThat(unkeyed.exit()).isZero();
        assertThat(unkeyed.out()).contains("1 record(s) carry a keyed args_digest", "not checked", "no key given");

        Cli.Result missing = Cli.run("replay", "--audit", audit, "--policies", policies, "--key", dir.resolve("nope.key").toString());
        assertThat(missing.exit()).isEqualTo(2);

        // Arguments edited after the record was written: the replay decides on them, and says they are not what was digested.
        Path file = AuditFiles.file(dir.resolve("audit"), 1);
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        lines.set(0, lines.get(0).replace("\"confirm\":true", "\"confirm\":false"));
        Files.write(file, lines, StandardCharsets.UTF_8);
        Cli.Result edited = Cli.run("replay", "--audit", audit, "--policies", policies, "--key", key.toString());
        assertThat(edited.out()).contains("warning: 1 record(s) hold arguments that are not the ones their args_digest was made of",
                "audit-000001.jsonl:1 tools/call transfer");
    }

    /** A record written before the digest was keyed (64 hex digits, no prefix) is still checked, with or without a key. */
    @Test
    void anUnkeyedDigestOfAnOlderRecordIsCheckedWithoutAKey() throws Exception {
        record("full");
        Path file = AuditFiles.file(dir.resolve("audit"), 1);
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        String old = lines.get(0).replaceAll("\"args_digest\":\"[^\"]*\"", "\"args_digest\":\"" + sha256(CANONICAL) + "\"");
        lines.set(0, old);
        Files.write(file, lines, StandardCharsets.UTF_8);

        Cli.Result replay = Cli.run("replay", "--audit", dir.resolve("audit").toString(), "--policies", dir.resolve("policies-copy").toString());
        assertThat(replay.out()).doesNotContain("not checked").doesNotContain("warning");

        lines.set(0, old.replace("\"confirm\":true", "\"confirm\":false"));
        Files.write(file, lines, StandardCharsets.UTF_8);
        Cli.Result edited = Cli.run("replay", "--audit", dir.resolve("audit").toString(), "--policies", dir.resolve("policies-copy").toString());
        assertThat(edited.out()).contains("warning: 1 record(s) hold arguments");
    }
}
