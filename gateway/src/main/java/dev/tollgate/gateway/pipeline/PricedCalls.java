package dev.tollgate.gateway.pipeline;

import dev.tollgate.policy.CallDescription;
import java.util.Set;

/** Which calls cost money: tool calls (MCP) and message sends (A2A); reads, lists and protocol chatter are free. */
final class PricedCalls {

    private static final Set<String> A2A_SENDS = Set.of("SendMessage", "SendStreamingMessage", "message/send", "message/stream");

    private PricedCalls() {
    }

    static boolean isPriced(CallDescription call) {
        return CallDescription.CLIENT_TO_SERVER.equals(call.direction())
                && ("tools/call".equals(call.method()) || A2A_SENDS.contains(call.method()));
    }
}
