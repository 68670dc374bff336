package dev.tollgate.gateway.sdk;

import dev.tollgate.gateway.support.TomcatServlets;

import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures.SyncCompletionSpecification;
import io.modelcontextprotocol.server.McpServerFeatures.SyncPromptSpecification;
import io.modelcontextprotocol.server.McpServerFeatures.SyncResourceSpecification;
import io.modelcontextprotocol.server.McpServerFeatures.SyncResourceTemplateSpecification;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema.AudioContent;
import io.modelcontextprotocol.spec.McpSchema.BlobResourceContents;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.CompleteResult;
import io.modelcontextprotocol.spec.McpSchema.Content;
import io.modelcontextprotocol.spec.McpSchema.CreateMessageRequest;
import io.modelcontextprotocol.spec.McpSchema.CreateMessageResult;
import io.modelcontextprotocol.spec.McpSchema.ElicitRequest;
import io.modelcontextprotocol.spec.McpSchema.ElicitResult;
import io.modelcontextprotocol.spec.McpSchema.EmbeddedResource;
import io.modelcontextprotocol.spec.McpSchema.GetPromptResult;
import io.modelcontextprotocol.spec.McpSchema.ImageContent;
import io.modelcontextprotocol.spec.McpSchema.LoggingLevel;
import io.modelcontextprotocol.spec.McpSchema.LoggingMessageNotification;
import io.modelcontextprotocol.spec.McpSchema.ProgressNotification;
import io.modelcontextprotocol.spec.McpSchema.Prompt;
import io.modelcontextprotocol.spec.McpSchema.PromptArgument;
import io.modelcontextprotocol.spec.McpSchema.PromptMessage;
import io.modelcontextprotocol.spec.McpSchema.PromptReference;
import io.modelcontextprotocol.spec.McpSchema.ReadResourceResult;
import io.modelcontextprotocol.spec.McpSchema.Resource;
import io.modelcontextprotocol.spec.McpSchema.ResourceTemplate;
import io.modelcontextprotocol.spec.McpSchema.Role;
import io.modelcontextprotocol.spec.McpSchema.SamplingMessage;
import io.modelcontextprotocol.spec.McpSchema.ServerCapabilities;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import io.modelcontextprotocol.spec.McpSchema.TextResourceContents;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.apache.catalina.Context;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real MCP server on the official Java SDK (Streamable HTTP in embedded Tomcat, loopback only) with the
 * fixtures the MCP conformance suite's server scenarios call, plus {@code echo} and {@code add} for the
 * gateway's own tests. No Host/Origin validation: DNS-rebinding protection is the gateway's job here.
 * {@code main} starts it by hand: {@code McpFixtureServer [port]}.
 */
public final class McpFixtureServer implements AutoCloseable {

    static final String ENDPOINT = "/mcp";
    private static final Map<String, Object> NO_ARGUMENTS = Map.of("type", "object", "properties", Map.of());
    /** A 1x1 PNG and an empty WAV, base64: the smallest valid image and audio payloads. */
    private static final String PIXEL_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
    private static final String EMPTY_WAV = "UklGRiQAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQAAAAA=";

    /** An HTTP exchange as the fixture saw it: method, session header and the status it answered. */
    public record Seen(String method, String sessionId, int status) {
    }

    private final Tomcat tomcat;
    private final McpSyncServer server;
    private final List<Seen> seen;
    private final List<String> toolCalls;
    /** Tomcat's base directory, made for this server and deleted when it closes. */
    private final java.nio.file.Path baseDir;

    /** Every tool the server lists now, by name (to redefine one as a server changing under review would). */
    private final Map<String, SyncToolSpecification> specs = new java.util.concurrent.ConcurrentHashMap<>();

    private McpFixtureServer(Tomcat tomcat, McpSyncServer server, List<Seen> seen, List<String> toolCalls, java.nio.file.Path baseDir) {
        this.baseDir = baseDir;
        this.tomcat = tomcat;
        this.server = server;
        this.seen = seen;
        this.toolCalls = toolCalls;
    }

    public static McpFixtureServer start(int port) throws Exception {
        return start(port, true);
    }

    /**
     * @param validateToolInputs whether the SDK validates a call's arguments against the tool's input schema (its
     *                           default); off, as a server binding arguments with its own code runs it
     */
    public static McpFixtureServer start(int port, boolean validateToolInputs) throws Exception {
        HttpServletStreamableServerTransportProvider transport = HttpServletStreamableServerTransportProvider.builder()
                .mcpEndpoint(ENDPOINT)
                .build();
        List<String> toolCalls = new CopyOnWriteArrayList<>();
        List<SyncToolSpecification> tools = tools().stream().map(t -> recorded(t, toolCalls)).toList();
        McpSyncServer server = McpServer.sync(transport)
                .serverInfo("tollgate-fixture", "1.0.0")
                .capabilities(ServerCapabilities.builder().completions().logging().resources(true, false).tools(false).prompts(false).build())
                .tools(tools)
                .prompts(prompts())
                .resources(resources())
                .resourceTemplates(templates())
                .completions(new SyncCompletionSpecification(new PromptReference("test_prompt_with_arguments"),
                        (exchange, request) -> new CompleteResult(new CompleteResult.CompleteCompletion(List.of(), 0, false))))
                .requestTimeout(Duration.ofSeconds(30))
                .validateToolInputs(validateToolInputs)
                .build();
        Tomcat tomcat = new Tomcat();
        java.nio.file.Path baseDir = Files.createTempDirectory("tollgate-fixture");
        tomcat.setBaseDir(baseDir.toString());
        tomcat.setHostname("127.0.0.1");
        tomcat.getConnector().setProperty("address", "127.0.0.1");
        tomcat.getConnector().setPort(port);
        tomcat.getConnector().setAsyncTimeout(60_000);
        Context context = tomcat.addContext("", tomcat.getServer().getCatalinaBase().getAbsolutePath());
        TomcatServlets.mount(context, "mcp", transport, "/*");
        List<Seen> seen = new CopyOnWriteArrayList<>();
        FilterDef recorder = new FilterDef();
        recorder.setFilterName("recorder");
        recorder.setFilter((request, response, chain) -> {
            chain.doFilter(request, response);
            HttpServletRequest http = (HttpServletRequest) request;
            seen.add(new Seen(http.getMethod(), http.getHeader("Mcp-Session-Id"), ((HttpServletResponse) response).getStatus()));
        });
        recorder.setAsyncSupported("true");
        context.addFilterDef(recorder);
        FilterMap everything = new FilterMap();
        everything.setFilterName("recorder");
        everything.addURLPattern("/*");
        context.addFilterMap(everything);
        tomcat.start();
        McpFixtureServer fixture = new McpFixtureServer(tomcat, server, seen, toolCalls, baseDir);
        tools.forEach(t -> fixture.specs.put(t.tool().name(), t));
        return fixture;
    }

    /**
     * Gives a listed tool a new description, keeping what it does: the "rug pull" of a server that changes a reviewed
     * tool's text (where instructions to the model hide) after review. Clients see it on their next tools/list.
     */
    public void redescribe(String name, String description) {
        SyncToolSpecification old = specs.get(name);
        Tool tool = Tool.builder(name, old.tool().inputSchema()).description(description).build();
        SyncToolSpecification changed = SyncToolSpecification.builder().tool(tool).callHandler(old.callHandler()).build();
        server.removeTool(name);
        server.addTool(changed);
        specs.put(name, changed);
    }

    /** Lists one more tool, answering as {@code handler} says (results of any shape: poisoned ones, for result policy). */
    public void addTool(String name, BiFunction<McpSyncServerExchange, CallToolRequest, CallToolResult> handler) {
        SyncToolSpecification added = recorded(SyncToolSpecification.builder()
                .tool(Tool.builder(name, NO_ARGUMENTS).description(name).build()).callHandler(handler).build(), toolCalls);
        server.addTool(added);
        specs.put(name, added);
    }

    /** Lists one more tool with its own input schema, answering as {@code handler} says. */
    public void addTool(String name, Map<String, Object> inputSchema, BiFunction<McpSyncServerExchange, CallToolRequest, CallToolResult> handler) {
        SyncToolSpecification added = recorded(tool(name, inputSchema, handler), toolCalls);
        server.addTool(added);
        specs.put(name, added);
    }

    /** Lists one more tool, answering every call with its own name. */
    public void addTool(String name, String description) {
        SyncToolSpecification added = recorded(SyncToolSpecification.builder()
                .tool(Tool.builder(name, NO_ARGUMENTS).description(description).build())
                .callHandler((ex, req) -> ok(text(name))).build(), toolCalls);
        server.addTool(added);
        specs.put(name, added);
    }

    /** The name of every tool the fixture ran, in order: proof of what reached the upstream. */
    public List<String> toolCalls() {
        return toolCalls;
    }

    private static SyncToolSpecification recorded(SyncToolSpecification spec, List<String> calls) {
        return SyncToolSpecification.builder().tool(spec.tool()).callHandler((exchange, request) -> {
            calls.add(request.name());
            return spec.callHandler().apply(exchange, request);
        }).build();
    }

    /** Every request the fixture answered, in order (recorded when the servlet returned). */
    public List<Seen> seen() {
        return seen;
    }

    public int port() {
        return tomcat.getConnector().getLocalPort();
    }

    public String url() {
        return "http://localhost:" + port() + ENDPOINT;
    }

    @Override
    public void close() throws Exception {
        server.closeGracefully();
        tomcat.stop();
        tomcat.destroy();
        dev.tollgate.gateway.support.TempDirs.delete(baseDir);
    }

    public static void main(String[] args) throws Exception {
        McpFixtureServer fixture = start(args.length > 0 ? Integer.parseInt(args[0]) : 0);
        System.out.println("MCP fixture server on " + fixture.url());
        Thread.currentThread().join();
    }

    private static List<SyncToolSpecification> tools() {
        List<SyncToolSpecification> tools = new ArrayList<>();
        tools.add(tool("test_simple_text", NO_ARGUMENTS, (ex, req) -> ok(text("This is a simple text response for testing."))));
        tools.add(tool("test_image_content", NO_ARGUMENTS, (ex, req) -> ok(ImageContent.builder(PIXEL_PNG, "image/png").build())));
        tools.add(tool("test_audio_content", NO_ARGUMENTS, (ex, req) -> ok(AudioContent.builder(EMPTY_WAV, "audio/wav").build())));
        tools.add(tool("test_embedded_resource", NO_ARGUMENTS, (ex, req) -> ok(embedded("test://embedded-resource", "This is an embedded resource content."))));
        tools.add(tool("test_multiple_content_types", NO_ARGUMENTS, (ex, req) -> ok(text("Multiple content types test:"),
                ImageContent.builder(PIXEL_PNG, "image/png").build(), embedded("test://mixed-content-resource", "{\"test\":\"data\",\"value\":123}"))));
        tools.add(tool("test_tool_with_logging", NO_ARGUMENTS, (ex, req) -> {
            for (String message : List.of("Tool execution started", "Tool processing data", "Tool execution completed")) {
                ex.loggingNotification(LoggingMessageNotification.builder(LoggingLevel.INFO, message).build());
            }
            return ok(text("Tool execution completed with logging"));
        }));
        tools.add(tool("test_error_handling", NO_ARGUMENTS, (ex, req) -> CallToolResult.builder()
                .content(List.of(text("This tool intentionally returns an error for testing"))).isError(true).build()));
        tools.add(tool("test_tool_with_progress", NO_ARGUMENTS, McpFixtureServer::withProgress));
        tools.add(tool("test_sampling", schema("prompt"), (ex, req) -> {
            CreateMessageResult answer = ex.createMessage(CreateMessageRequest.builder(
                    List.of(SamplingMessage.builder(Role.USER, text(String.valueOf(req.arguments().get("prompt")))).build()), 100).build());
            return ok(text("LLM response: " + ((TextContent) answer.content()).text()));
        }));
        tools.add(tool("test_elicitation", schema("message"), (ex, req) -> elicit(ex, String.valueOf(req.arguments().get("message")),
                Map.of("type", "object", "properties", Map.of(
                        "username", Map.of("type", "string", "description", "User's response"),
                        "email", Map.of("type", "string", "description", "User's email address")),
                        "required", List.of("username", "email")), "User response: ")));
        tools.add(tool("test_elicitation_sep1034_defaults", NO_ARGUMENTS, (ex, req) -> elicit(ex, "Please provide your information with defaults",
                Map.of("type", "object", "properties", Map.of(
                        "name", Map.of("type", "string", "default", "John Doe"),
                        "age", Map.of("type", "integer", "default", 30),
                        "score", Map.of("type", "number", "default", 95.5),
                        "status", Map.of("type", "string", "enum", List.of("active", "inactive", "pending"), "default", "active"),
                        "verified", Map.of("type", "boolean", "default", true))), "Elicitation completed: ")));
        tools.add(tool("test_elicitation_sep1330_enums", NO_ARGUMENTS, (ex, req) -> elicit(ex, "Select your preferences",
                Map.of("type", "object", "properties", Map.of(
                        "untitledSingle", Map.of("type", "string", "enum", List.of("option1", "option2", "option3")),
                        "titledSingle", Map.of("type", "string", "oneOf", List.of(
                                Map.of("const", "value1", "title", "First Option"),
                                Map.of("const", "value2", "title", "Second Option"),
                                Map.of("const", "value3", "title", "Third Option"))),
                        "legacyEnum", Map.of("type", "string", "enum", List.of("opt1", "opt2", "opt3"),
                                "enumNames", List.of("Option One", "Option Two", "Option Three")),
                        "untitledMulti", Map.of("type", "array", "items",
                                Map.of("type", "string", "enum", List.of("option1", "option2", "option3"))),
                        "titledMulti", Map.of("type", "array", "items", Map.of("anyOf", List.of(
                                Map.of("const", "value1", "title", "First Choice"),
                                Map.of("const", "value2", "title", "Second Choice"),
                                Map.of("const", "value3", "title", "Third Choice")))))), "Elicitation completed: ")));
        tools.add(tool("json_schema_2020_12_tool", Map.of(
                "$schema", "https://json-schema.org/draft/2020-12/schema",
                "type", "object",
                "$defs", Map.of("address", Map.of("type", "object", "properties",
                        Map.of("street", Map.of("type", "string"), "city", Map.of("type", "string")))),
                "properties", Map.of("name", Map.of("type", "string"), "address", Map.of("$ref", "#/$defs/address")),
                "additionalProperties", false), (ex, req) -> ok(text("JSON Schema 2020-12 tool called"))));
        tools.add(tool("echo", schema("text"), (ex, req) -> ok(text(String.valueOf(req.arguments().get("text"))))));
        tools.add(tool("add", Map.of("type", "object", "properties", Map.of("a", Map.of("type", "number"), "b", Map.of("type", "number"))),
                (ex, req) -> ok(text(String.valueOf(((Number) req.arguments().get("a")).doubleValue() + ((Number) req.arguments().get("b")).doubleValue())))));
        return tools;
    }

    private static CallToolResult withProgress(McpSyncServerExchange exchange, CallToolRequest request) {
        Object token = request.meta() == null ? null : request.meta().get("progressToken");
        if (token == null) {
            return ok(text("Tool execution completed without progress"));
        }
        for (double progress : new double[]{0, 50, 100}) {
            exchange.progressNotification(ProgressNotification.builder(token, progress).total(100.0).build());
        }
        return ok(text("Tool execution completed with progress"));
    }

    private static CallToolResult elicit(McpSyncServerExchange exchange, String message, Map<String, Object> schema, String prefix) {
        ElicitResult answer = exchange.createElicitation(ElicitRequest.builder(message, schema).build());
        return ok(text(prefix + "action=" + answer.action() + ", content=" + answer.content()));
    }

    private static List<SyncPromptSpecification> prompts() {
        return List.of(
                new SyncPromptSpecification(Prompt.builder("test_simple_prompt").description("A simple prompt").arguments(List.of()).build(),
                        (ex, req) -> prompt(PromptMessage.builder(Role.USER, text("This is a simple prompt for testing.")).build())),
                new SyncPromptSpecification(Prompt.builder("test_prompt_with_arguments").description("A prompt with arguments")
                        .arguments(List.of(PromptArgument.builder("arg1").required(true).build(), PromptArgument.builder("arg2").required(true).build())).build(),
                        (ex, req) -> prompt(PromptMessage.builder(Role.USER, text("Prompt with arguments: arg1='" + req.arguments().get("arg1")
                                + "', arg2='" + req.arguments().get("arg2") + "'")).build())),
                new SyncPromptSpecification(Prompt.builder("test_prompt_with_embedded_resource").description("A prompt with an embedded resource")
                        .arguments(List.of(PromptArgument.builder("resourceUri").required(true).build())).build(),
                        (ex, req) -> prompt(
                                PromptMessage.builder(Role.USER, embedded(String.valueOf(req.arguments().get("resourceUri")), "Embedded resource content for testing.")).build(),
                                PromptMessage.builder(Role.USER, text("Please process the embedded resource above.")).build())),
                new SyncPromptSpecification(Prompt.builder("test_prompt_with_image").description("A prompt with an image").arguments(List.of()).build(),
                        (ex, req) -> prompt(
                                PromptMessage.builder(Role.USER, ImageContent.builder(PIXEL_PNG, "image/png").build()).build(),
                                PromptMessage.builder(Role.USER, text("Please analyze the image above.")).build())));
    }

    private static List<SyncResourceSpecification> resources() {
        return List.of(
                textResource("test://static-text", "Static Text Resource", "This is the content of the static text resource."),
                new SyncResourceSpecification(Resource.builder("test://static-binary", "Static Binary Resource").mimeType("image/png").build(),
                        (ex, req) -> ReadResourceResult.builder(List.of(
                                BlobResourceContents.builder("test://static-binary", PIXEL_PNG).mimeType("image/png").build())).build()),
                textResource("test://watched-resource", "Watched Resource", "This is a watched resource content."));
    }

    private static List<SyncResourceTemplateSpecification> templates() {
        return List.of(new SyncResourceTemplateSpecification(
                ResourceTemplate.builder("test://template/{id}/data", "Template Resource").mimeType("application/json").build(),
                (ex, req) -> {
                    String id = req.uri().replaceAll("test://template/(.+)/data", "$1");
                    return ReadResourceResult.builder(List.of(TextResourceContents.builder(req.uri(),
                            "{\"id\":\"" + id + "\",\"templateTest\":true,\"data\":\"Data for ID: " + id + "\"}").mimeType("application/json").build())).build();
                }));
    }

    private static SyncResourceSpecification textResource(String uri, String name, String content) {
        return new SyncResourceSpecification(Resource.builder(uri, name).mimeType("text/plain").build(),
                (ex, req) -> ReadResourceResult.builder(List.of(TextResourceContents.builder(uri, content).mimeType("text/plain").build())).build());
    }

    private static SyncToolSpecification tool(String name, Map<String, Object> inputSchema,
                                               BiFunction<McpSyncServerExchange, CallToolRequest, CallToolResult> handler) {
        return SyncToolSpecification.builder().tool(Tool.builder(name, inputSchema).description(name).build()).callHandler(handler).build();
    }

    private static Map<String, Object> schema(String requiredString) {
        return Map.of("type", "object", "properties", Map.of(requiredString, Map.of("type", "string")), "required", List.of(requiredString));
    }

    private static TextContent text(String text) {
        return TextContent.builder(text).build();
    }

    private static EmbeddedResource embedded(String uri, String content) {
        return EmbeddedResource.builder(TextResourceContents.builder(uri, content).mimeType("text/plain").build()).build();
    }

    private static CallToolResult ok(Content... content) {
        return CallToolResult.builder().content(List.of(content)).isError(false).build();
    }

    private static GetPromptResult prompt(PromptMessage... messages) {
        return GetPromptResult.builder(List.of(messages)).build();
    }
}
