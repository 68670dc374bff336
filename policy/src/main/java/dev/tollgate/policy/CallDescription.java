package dev.tollgate.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.policy.condition.NumberReadings;
import java.util.List;

/**
 * A protocol-neutral description of one call, the only thing about a request that policy reads.
 *
 * @param protocol     {@code mcp} or {@code a2a}
 * @param method       JSON-RPC method, e.g. {@code tools/call}, {@code sampling/createMessage}
 * @param toolName     the tool of a {@code tools/call}; null otherwise
 * @param resourceUri  the URI of a {@code resources/read}, or the resource a subscription or a completion names; null otherwise
 * @param promptName   the prompt of a {@code prompts/get}; null otherwise
 * @param arguments    tool arguments, prompt arguments, or the request params; may be null
 * @param direction    {@link #CLIENT_TO_SERVER} or {@link #SERVER_TO_CLIENT}
 * @param argumentsAsDoubles the arguments as a reader that holds every number in a double (JavaScript) sees them, made
 *                     once per call by {@link NumberReadings#asDoubles}: the very same instance wherever they read
 *                     alike, so a condition tells in constant time whether its value has two readings
 * @param argumentsAsIntegers the arguments as a reader binding values to integer types (a Java {@code long} field
 *                     through Jackson, Python's {@code int(x)}) sees them, made by {@link NumberReadings#asIntegers}:
 *                     fractions dropped, numeric strings read as their integer; shared where alike, as the doubles
 */
public record CallDescription(String protocol, String route, String method, String toolName, String resourceUri,
                              String promptName, JsonNode arguments, String direction, JsonNode argumentsAsDoubles,
                              JsonNode argumentsAsIntegers) {

    public CallDescription(String protocol, String route, String method, String toolName, String resourceUri,
                           String promptName, JsonNode arguments, String direction) {
        this(protocol, route, method, toolName, resourceUri, promptName, arguments, direction, NumberReadings.asDoubles(arguments));
    }

    private CallDescription(String protocol, String route, String method, String toolName, String resourceUri,
                            String promptName, JsonNode arguments, String direction, JsonNode argumentsAsDoubles) {
        this(protocol, route, method, toolName, resourceUri, promptName, arguments, direction, argumentsAsDoubles,
                NumberReadings.asIntegers(arguments));
    }

    /** True when every number in the arguments reads alike exactly and as a double. */
    public boolean readsAlikeAsDoubles() {
        return argumentsAsDoubles == arguments;
    }

    /** True when every value in the arguments reads alike exactly and as an integer (no fraction, no numeric string). */
    public boolean readsAlikeAsIntegers() {
        return argumentsAsIntegers == arguments;
    }

    public static final String CLIENT_TO_SERVER = "client_to_server";
    public static final String SERVER_TO_CLIENT = "server_to_client";
    /** A result on its way back to the client (a tool's result, an A2A task's artifacts), decided by result rules only. */
    public static final String RESULT = "result";
    private static final String MCP = "mcp";
    private static final String A2A = "a2a";
    /** Every protocol a call can have, as rules name them. */
    public static final List<String> PROTOCOLS = List.of(MCP, A2A);

    public static CallDescription mcpToolCall(String route, String tool, JsonNode arguments) {
        return new CallDescription(MCP, route, "tools/call", tool, null, null, arguments, CLIENT_TO_SERVER);
    }

    public static CallDescription mcpResourceRead(String route, String uri) {
        return new CallDescription(MCP, route, "resources/read", null, uri, null, null, CLIENT_TO_SERVER);
    }

    public static CallDescription mcpPromptGet(String route, String name, JsonNode arguments) {
        return new CallDescription(MCP, route, "prompts/get", null, null, name, arguments, CLIENT_TO_SERVER);
    }

    public static CallDescription mcpRequest(String route, String method, JsonNode params) {
        return new CallDescription(MCP, route, method, null, null, null, params, CLIENT_TO_SERVER);
    }

    /**
     * A request naming a resource or a prompt without reading it: {@code resources/subscribe} and {@code unsubscribe}
     * (the resource's URI), {@code completion/complete} (the resource template or prompt whose argument it completes).
     * A {@code resource:} or {@code prompt:} rule then covers them as it covers the read, so a denied resource cannot be
     * watched, nor a denied template's values listed by completion.
     */
    public static CallDescription mcpRequestNaming(String route, String method, String resourceUri, String promptName, JsonNode params) {
        return new CallDescription(MCP, route, method, null, resourceUri, promptName, params, CLIENT_TO_SERVER);
    }

    /**
     * A request acting on an MCP task ({@code tasks/get}, {@code tasks/result}, {@code tasks/update},
     * {@code tasks/cancel}): it reads or steers the work of the tool whose call created the task, so that tool
     * is the call's tool ({@code null} when the gateway did not see the task created).
     */
    public static CallDescription mcpTaskRequest(String route, String method, String creatingTool, JsonNode params) {
        return new CallDescription(MCP, route, method, creatingTool, null, null, params, CLIENT_TO_SERVER);
    }

    /**
     * An A2A call. A2A requests name no tool; the skill the caller declared ({@code metadata.skillId}, by
     * convention) stands in for it, so {@code tool:} rules and {@link CompiledPolicy#mayEverCall} work on
     * skills. {@code arguments} is the gateway's normalized view of the request (task, context, parts,
     * metadata, extensions, push URL), read by {@code arg:} pointers.
     *
     * @param method the A2A 1.0 method name ({@code SendMessage}), whatever generation the client spoke
     */
    public static CallDescription a2a(String route, String method, String skill, JsonNode view) {
        return new CallDescription(A2A, route, method, skill, null, null, view, CLIENT_TO_SERVER);
    }

    /**
     * The result of a {@code tools/call} on its way back: {@code arguments} is the result object (content, structured
     * content, resources), which {@code arg:} pointers and the detectors read. Also what the gateway reads an answer as
     * when it cannot tell which call it answers (on a GET stream), with a null tool read as any tool.
     */
    public static CallDescription mcpToolResult(String route, String tool, JsonNode result) {
        return new CallDescription(MCP, route, "tools/call", tool, null, null, result, RESULT);
    }

    /**
     * An MCP answer on its way back, described with the call it answers: a {@code resources/read}'s contents with its
     * method and URI, a {@code prompts/get}'s messages with its method and prompt, a {@code tools/call}'s result with its
     * tool, any other answer (a completion, a task's, a list's) with its method and what it names, so {@code method:},
     * {@code resource:} and {@code prompt:} conditions hold on a result as on the request it answers.
     *
     * @param answered the request as policy described it ({@code direction} and arguments are not read)
     * @param result   the result object (or error), which {@code arg:} pointers and the detectors read
     */
    public static CallDescription mcpResult(CallDescription answered, JsonNode result) {
        return mcpResult(answered.route(), answered.method(), answered.toolName(), answered.resourceUri(), answered.promptName(), result);
    }

    /**
     * Text on its way back to an MCP client, read by result rules: {@code method} is the call it answers or is part of
     * (or, for a listed definition, the list's method; for a server request on a stream, the request's own method), and
     * the tool, resource and prompt are those the call names (or the listed entry's own).
     */
    public static CallDescription mcpResult(String route, String method, String tool, String resourceUri, String promptName,
                                            JsonNode result) {
        return new CallDescription(MCP, route, method, tool, resourceUri, promptName, result, RESULT);
    }

    /** An A2A answer on its way back (task, artifacts, status message), for the skill the caller declared. */
    public static CallDescription a2aResult(String route, String method, String skill, JsonNode result) {
        return new CallDescription(A2A, route, method, skill, null, null, result, RESULT);
    }

    /** A request the server sends to the client over its SSE stream (sampling, elicitation, roots). */
    public static CallDescription mcpServerRequest(String route, String method, JsonNode params) {
        return new CallDescription(MCP, route, method, null, null, null, params, SERVER_TO_CLIENT);
    }
}
