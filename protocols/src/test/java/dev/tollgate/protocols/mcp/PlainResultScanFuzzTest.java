package dev.tollgate.protocols.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Arrays;

/**
 * An upstream's answer, as arbitrary bytes: the tree-less scan never throws, and it calls plain only an answer the
 * whole read would relay unchanged (readable, a response to the request's id, a result holding nothing the
 * gateway acts on).
 *
 * <p>Input layout: the first byte picks the request's id (high bit: the string {@code "r<n>"}, else the integer
 * {@code n}, n being the low two bits); the rest is the answer. Seeds:
 * {@code PlainResultScanFuzzTestInputs/acceptsOnlyWhatTheWholeReadRelaysUnchanged/}.
 */
class PlainResultScanFuzzTest {

    @FuzzTest
    void acceptsOnlyWhatTheWholeReadRelaysUnchanged(byte[] input) {
        if (input.length == 0) {
            return;
        }
        int n = input[0] & 3;
        JsonNode id = (input[0] & 0x80) != 0 ? TextNode.valueOf("r" + n) : IntNode.valueOf(n);
        byte[] body = Arrays.copyOfRange(input, 1, input.length);
        if (PlainResultScanTest.SCAN.isPlainResult(body, id)) {
            assertThat(PlainResultScanTest.plainByTree(body, id)).as("accepted without a tree, refused or acted on with one").isTrue();
        }
    }
}
