package dev.tollgate.gateway.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.support.NodePeers;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the README's "Your own servers" walk-throughs and the quick start's calls as written, with bash, curl and real servers (the MCP reference
 * server, the {@code @a2a-js/sdk} echo agent, the gateway on conf/gateway.yaml), so the commands and the outputs shown
 * under them stay true. Only what cannot be taken literally is changed: the fixed ports become free ones, the
 * gateway runs from the test classpath (the jar is built after the tests), and {@code npx} runs the reference server
 * installed by the build (offline) at the version the README names.
 */
class YourOwnServersReadmeTest {

    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern EXPECTED = Pattern.compile("^# ((?:event:|data:|\\{).*)$");

    @TempDir
    Path dir;

    @Test
    void theMcpWalkThroughRunsAsWritten() throws Exception {
        String block = blocks().get(0);
        assertThat(block).contains("npx -y @modelcontextprotocol/server-everything@" + everythingVersion());
        runAndCheck(block);
    }

    @Test
    void theA2aWalkThroughRunsAsWritten() throws Exception {
        runAndCheck(blocks().get(1));
    }

    /** The quick start's calls by hand, against the demo its first step starts. */
    @Test
    void theQuickStartCallsRunAsWritten() throws Exception {
        String readme = Files.readString(REPO.resolve("README.md"));
        int start = readme.indexOf("A `tools/call` through the gateway by hand:");
        Matcher fence = Pattern.compile("```bash\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertThat(start).isPositive();
        assertThat(fence.find(start)).isTrue();
        runAndCheck("java -jar gateway/target/tollgate.jar demo --port 8080 --admin-port 9090 &\n"
                + "until curl -sf http://127.0.0.1:9090/readyz >/dev/null; do sleep 0.2; done\n" + fence.group(1));
    }

    private void runAndCheck(String block) throws Exception {
        int mcp = freePort();
        int gateway = freePort();
        int admin = freePort();
        int agent = freePort();
        String script = block.replace("3001", String.valueOf(mcp)).replace("8080", String.valueOf(gateway))
                .replace("9090", String.valueOf(admin)).replace("41241", String.valueOf(agent))
                .replace("java -jar gateway/target/tollgate.jar", "$TOLLGATE");
        Path bin = Files.createDirectories(dir.resolve("bin"));
        // npx -y @modelcontextprotocol/server-everything@V streamableHttp -> the build's install of that package.
        Path npx = bin.resolve("npx");
        Files.writeString(npx, "#!/usr/bin/env bash\nshift 2\nexec \"" + NodePeers.node() + "\" \""
                + NodePeers.directory().resolve("node_modules/@modelcontextprotocol/server-everything/dist/index.js") + "\" \"$@\"\n");
        Path node = bin.resolve("node");
        Files.writeString(node, "#!/usr/bin/env bash\nexec \"" + NodePeers.node() + "\" \"$@\"\n");
        Files.setPosixFilePermissions(npx, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(node, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path file = dir.resolve("walkthrough.sh");
        Files.writeString(file, "set -u\ncd \"" + REPO + "\"\n" + script);
        Path output = dir.resolve("out.txt");
        ProcessBuilder builder = new ProcessBuilder("setsid", "bash", file.toString()).redirectErrorStream(true).redirectOutput(output.toFile());
        Map<String, String> env = builder.environment();
        env.put("PATH", bin + ":" + env.get("PATH"));
        env.put("TOLLGATE", java() + " -cp " + System.getProperty("java.class.path") + " dev.tollgate.gateway.cli.TollgateCommand");
        env.put("TOLLGATE_PORT", String.valueOf(gateway));
        env.put("TOLLGATE_ADMIN_PORT", String.valueOf(admin));
        env.put("A2A_UPSTREAM", "http://127.0.0.1:" + agent);
        env.put("TOLLGATE_AUDIT_DIR", dir.resolve("audit").toString());
        Process process = builder.start();
        try {
            assertThat(process.waitFor(90, TimeUnit.SECONDS)).as("the walk-through finished within 90 s").isTrue();
        } finally {
            // The servers it started in the background share its process group: stop them all.
            new ProcessBuilder("kill", "-TERM", "--", "-" + process.pid()).start().waitFor(5, TimeUnit.SECONDS);
            process.destroyForcibly();
        }
        String out = Files.readString(output, StandardCharsets.UTF_8);
        int at = 0;
        for (String line : script.lines().toList()) {
            Matcher expected = EXPECTED.matcher(line);
            if (!expected.matches()) {
                continue;
            }
            for (String fragment : expected.group(1).split("\\.\\.\\.")) {
                int found = out.indexOf(fragment, at);
                assertThat(found).as("README output '%s' (fragment '%s') in order in:%n%s", line, fragment, out).isGreaterThanOrEqualTo(0);
                at = found + fragment.length();
            }
        }
        assertThat(at).as("the walk-through shows outputs to check").isPositive();
    }

    /** The bash blocks of the README's "Your own servers" section, in order. */
    private static List<String> blocks() throws IOException {
        String readme = Files.readString(REPO.resolve("README.md"));
        int start = readme.indexOf("\n## Your own servers\n");
        int end = readme.indexOf("\n## ", start + 1);
        String section = readme.substring(start, end);
        List<String> blocks = new ArrayList<>();
        Matcher fence = Pattern.compile("```bash\\n(.*?)```", Pattern.DOTALL).matcher(section);
        while (fence.find()) {
            blocks.add(fence.group(1));
        }
        assertThat(blocks).hasSize(2);
        return blocks;
    }

    private static String everythingVersion() throws IOException {
        Matcher version = Pattern.compile("\"@modelcontextprotocol/server-everything\": \"([^\"]+)\"")
                .matcher(Files.readString(NodePeers.directory().resolve("package.json")));
        assertThat(version.find()).isTrue();
        return version.group(1);
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static int freePort() throws IOException {
        return dev.tollgate.gateway.support.TestPorts.unclaimed();
    }
}
