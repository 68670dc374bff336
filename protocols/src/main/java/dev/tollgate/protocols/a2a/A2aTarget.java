package dev.tollgate.protocols.a2a;

/**
 * What a request on an A2A route addresses, decided from its HTTP verb and path alone (before the body is
 * read): the agent card, an HTTP+JSON operation, the JSON-RPC endpoint, or nothing A2A defines.
 */
public sealed interface A2aTarget {

    /** {@code GET .../.well-known/agent-card.json} (or the 0.2 alias {@code agent.json}). */
    record AgentCard() implements A2aTarget {
    }

    /**
     * An HTTP+JSON operation.
     *
     * @param taskId   the {@code {id}} of a {@code /tasks/{id}...} path, else null
     * @param configId the {@code {configId}} of a push-config path, else null
     * @param legacy   the 0.3 form ({@code /v1/...} paths)
     */
    record Rest(A2aMethod method, String taskId, String configId, boolean legacy) implements A2aTarget {
    }

    /** A POST to any other path: the agent's JSON-RPC endpoint (wherever its card put it). */
    record JsonRpc() implements A2aTarget {
    }

    /**
     * No A2A operation: an unknown {@code :action}, or a known path with the wrong verb.
     *
     * @param allow the verbs the path does take, for an {@code Allow} header; null when the path is unknown
     */
    record Invalid(String detail, String allow) implements A2aTarget {
    }
}
