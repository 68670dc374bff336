package dev.tollgate.protocols.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tollgate.protocols.json.JsonRejection;
import dev.tollgate.protocols.json.StrictJsonParser;
import dev.tollgate.protocols.jsonrpc.JsonRpcId;
import dev.tollgate.protocols.jsonrpc.JsonRpcParser;
import dev.tollgate.protocols.jsonrpc.JsonRpcRejection;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * What a server sends, as arbitrary bytes: {@link ServerMessage.Read} or {@link ServerMessage.Unreadable},
 * never an exception. A read message is one the strict parser accepts, an array only where the caller allowed
 * one; an unreadable one has a known reason, and any id it salvages is a valid JSON-RPC id.
 *
 * <p>Input layout: the first byte's low bit says whether an array is allowed; the rest is the server's body.
 * Seeds: {@code ServerMessageReaderFuzzTestInputs/readsOrExplainsWhyNot/}.
 */
class ServerMessageReaderFuzzTest {

    private static final ServerMessageReader READER = new ServerMessageReader(new JsonRpcParser(new StrictJsonParser()));
    private static final Set<String> REASONS = new HashSet<>();

    static {
        for (JsonRejection.Reason reason : JsonRejection.Reason.values()) {
            REASONS.add(reason.code());
        }
        REASONS.addAll(Set.of(ServerMessageReader.ARRAY_NOT_ALLOWED, JsonRpcRejection.NOT_JSONRPC, JsonRpcRejection.INVALID_ID,
                JsonRpcRejection.INVALID_METHOD, JsonRpcRejection.INVALID_PARAMS, JsonRpcRejection.INVALID_RESPONSE));
    }

    @FuzzTest
    void readsOrExplainsWhyNot(byte[] input) {
        if (input.length == 0) {
            return;
        }
        boolean arrayAllowed = (input[0] & 1) == 1;
        byte[] data = Arrays.copyOfRange(input, 1, input.length);

        ServerMessage read = READER.read(data, arrayAllowed);
        boolean looksLikeJsonRpc = ServerMessageReader.looksLikeJsonRpc(data);
        if (read instanceof ServerMessage.Unreadable unreadable) {
            assertThat(REASONS).contains(unreadable.reason());
            assertThat(unreadable.detail()).isNotBlank();
            assertThat(unreadable.salvagedId() == null || JsonRpcId.isValid(unreadable.salvagedId())).isTrue();
            assertThat(!unreadable.looksLikeRequest() || unreadable.salvagedId() != null).isTrue();
            return;
        }
        ServerMessage.Read message = (ServerMessage.Read) read;
        assertThat(message.messages()).isNotEmpty();
        assertThat(message.array()).isEqualTo(message.root().isArray());
        assertThat(!message.array() || arrayAllowed).as("an array only where allowed").isTrue();
        assertThat(message.array() || message.messages().size() == 1).isTrue();
        assertThat(looksLikeJsonRpc).as("what the gateway reads, a lenient client reads as JSON-RPC too").isTrue();
        try {
            new StrictJsonParser().parse(data);
        } catch (JsonRejection e) {
            throw new AssertionError("read what the strict parser refuses: " + e.reason(), e);
        }
    }
}
