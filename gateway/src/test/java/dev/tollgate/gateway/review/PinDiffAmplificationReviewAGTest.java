package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.pinning.DefinitionDiff;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import dev.tollgate.gateway.pinning.PinManifest;
import dev.tollgate.gateway.pinning.PinnedDefinitions;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review AG (denial of service): {@code PinWatch.observe} runs {@link DefinitionDiff#between} on the event loop for every
 * pinned tool an upstream lists with another definition, on every {@code tools/list} answer (also once the change was
 * reported and is no longer logged). The diff walks both trees and builds one text line (a JSON pointer, and the value
 * serialised with {@code JsonNode.toString()}) for EVERY difference, and only then keeps the first 20
 * ({@code MAX_LINES}). A hostile (rug-pulling) server appends a million items to a pinned tool's
 * {@code inputSchema.required} array (2 MB of JSON, well within {@code max-inspected-response-bytes}): each list answer
 * makes the gateway allocate and hold a million lines, hundreds of bytes of heap per byte the server sent, to log 21.
 *
 * <p>Measured as bytes allocated by the calling thread (deterministic for one code path, unlike time).
 */
class PinDiffAmplificationReviewAGTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ITEMS = 1_000_000;
    /** Allowed allocation per byte of the listed definition: parsing and copying it costs a few, a capped diff needs no more. */
    private static final long BYTES_PER_INPUT_BYTE = 32;

    @Test
    void aChangedArrayOfAMillionItemsIsDiffedIntoAMillionLinesToKeepTwenty() throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeThat(threads.isThreadAllocatedMemorySupported()).isTrue();
        threads.setThreadAllocatedMemoryEnabled(true);

        JsonNode pinned = JSON.readTree("""
                {"description":"Echoes the input","inputSchema":{"type":"object","properties":{"message":{"type":"string"}},"required":["message"]},"name":"echo"}""");
        ObjectNode listed = pinned.deepCopy();
        ArrayNode required = (ArrayNode) listed.path("inputSchema").path("required");
        for (int i = 0; i < ITEMS; i++) {
            required.add(0);
        }
        long inputBytes = JSON.writeValueAsString(listed).getBytes(StandardCharsets.UTF_8).length;

        DefinitionDiff.between(pinned, pinned); // warm the classes
        long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
        List<String> lines = DefinitionDiff.between(pinned, listed);
        long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;

        assertThat(lines).hasSize(21);
        assertThat(lines.get(20)).isEqualTo("... and " + (ITEMS - 20) + " more difference(s)");
        assertThat(allocated)
                .as("bytes allocated to diff a %d-byte definition into %d lines (%d bytes per input byte)", inputBytes, lines.size(),
                        allocated / inputBytes)
                .isLessThanOrEqualTo(BYTES_PER_INPUT_BYTE * inputBytes);
    }

    /** Control: the same definition listed as a NEW tool (no pin to compare with) costs one serialisation of it. */
    @Test
    void theSameSizeListedAsANewToolCostsAboutItsSize() throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeThat(threads.isThreadAllocatedMemorySupported()).isTrue();
        threads.setThreadAllocatedMemoryEnabled(true);
        ObjectNode listed = (ObjectNode) JSON.readTree("""
                {"description":"Echoes the input","inputSchema":{"type":"object","properties":{"message":{"type":"string"}},"required":["message"]},"name":"echo2"}""");
        ArrayNode required = (ArrayNode) listed.path("inputSchema").path("required");
        for (int i = 0; i < ITEMS; i++) {
            required.add(0);
        }
        long inputBytes = JSON.writeValueAsString(listed).getBytes(StandardCharsets.UTF_8).length;

        DefinitionDiff.between(null, JSON.readTree("{}"));
        long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
        List<String> lines = DefinitionDiff.between(null, listed);
        long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;

        assertThat(lines).hasSize(1);
        assertThat(allocated).isLessThanOrEqualTo(BYTES_PER_INPUT_BYTE * inputBytes);
    }

    private static final String ECHO = "{\"name\":\"echo\",\"description\":\"Echoes the input\",\"inputSchema\":{\"type\":\"object\","
            + "\"properties\":{\"message\":{\"type\":\"string\"}},\"required\":[\"message\"]}}";

    @TempDir
    Path dir;

    /**
     * Through the gateway, on a route that pins {@code echo}: the same 2 MB list answer costs the gateway (every thread of
     * the JVM together: the gateway's event loop does the work) several times more when the big array sits in the pinned
     * tool (rug pull: diffed line by line) than when it sits in a tool the manifest does not hold (listed as new: one
     * serialisation). Expected: about the same; a pinned tool's diff costs what the definition costs to read.
     */
    @Test
    void throughTheGatewayARugPulledListCostsManyTimesTheSameListWithTheArrayOnANewTool() throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeThat(threads.isThreadAllocatedMemorySupported()).isTrue();
        threads.setThreadAllocatedMemoryEnabled(true);
        StringBuilder zeros = new StringBuilder(2 * ITEMS);
        for (int i = 0; i < ITEMS; i++) {
            zeros.append(",0");
        }
        String rugPulled = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"tools\":[" + ECHO.replace("[\"message\"]", "[\"message\"" + zeros + "]")
                + "]}}";
        String control = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"tools\":[" + ECHO + ","
                + ECHO.replace("\"echo\"", "\"extra\"").replace("[\"message\"]", "[\"message\"" + zeros + "]") + "]}}";
        AtomicReference<String> answer = new AtomicReference<>();
        Vertx upstreamVertx = Vertx.vertx();
        Vertx vertx = Vertx.vertx();
        RecordingUpstream mcp = new RecordingUpstream(upstreamVertx);
        mcp.answer(r -> r.response().putHeader("Content-Type", "application/json").end(answer.get()));
        PinManifest.record("tools", PinnedDefinitions.Kind.TOOLS, List.of(JSON.readTree(ECHO)), null, null).write(dir.resolve("tools.yaml"));
        Files.writeString(Files.createDirectories(dir.resolve("policies")).resolve("p.yaml"), RunningGateway.ALLOW_ALL);
        RunningGateway gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                routes:
                  - {name: tools, path: /mcp, protocol: mcp, upstream: "%s", policy: allow-all, pinning: {manifest: "%s"}}
                """.formatted(dir.resolve("policies"), mcp.url("/mcp"), dir.resolve("tools.yaml")));
        TestHttp http = new TestHttp(vertx);
        try {
            String list = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}";
            // Warm both paths once, then measure each.
            answer.set(control);
            assertThat(http.postMcp(gateway.port(), "/mcp", list).status()).isEqualTo(200);
            answer.set(rugPulled);
            assertThat(http.postMcp(gateway.port(), "/mcp", list).status()).isEqualTo(200);

            answer.set(control);
            long controlBytes = allocatedDuring(threads, () -> {
                TestHttp.Reply reply = http.postMcp(gateway.port(), "/mcp", list);
                assertThat(reply.status()).isEqualTo(200);
                assertThat(reply.body().toString()).as("a tool the manifest does not hold is withheld").doesNotContain("\"extra\"");
            });
            answer.set(rugPulled);
            long attackBytes = allocatedDuring(threads, () -> {
                TestHttp.Reply reply = http.postMcp(gateway.port(), "/mcp", list);
                assertThat(reply.body().toString()).as("the changed echo is withheld").doesNotContain("\"echo\"");
            });

            assertThat(attackBytes)
                    .as("JVM-wide bytes allocated for one %d-byte list answer: rug-pulled pinned tool %d MB, same array on a new tool %d MB",
                            rugPulled.length(), attackBytes >> 20, controlBytes >> 20)
                    .isLessThanOrEqualTo(3 * controlBytes);
        } finally {
            http.close();
            gateway.close();
            mcp.close();
            vertx.close().toCompletionStage().toCompletableFuture().get();
            upstreamVertx.close().toCompletionStage().toCompletableFuture().get();
        }
    }

    private interface Action {
        void run() throws Exception;
    }

    private static long allocatedDuring(com.sun.management.ThreadMXBean threads, Action action) throws Exception {
        long before = total(threads);
        action.run();
        return total(threads) - before;
    }

    private static long total(com.sun.management.ThreadMXBean threads) {
        long sum = 0;
        for (long bytes : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
            if (bytes > 0) {
                sum += bytes;
            }
        }
        return sum;
    }
}
