package dev.tollgate.gateway.review;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Cache;
import dev.tollgate.gateway.pipeline.TaskOrigins;
import dev.tollgate.gateway.routing.TaskScope;
import io.vertx.core.Future;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import dev.tollgate.gateway.support.RecordingUpstream;
import dev.tollgate.gateway.support.RunningGateway;
import dev.tollgate.gateway.support.TenantTokens;
import dev.tollgate.gateway.support.TestHttp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Review AG (resource exhaustion that fails open): who owns each A2A context and MCP/A2A task is kept in one table per
 * replica ({@code TaskOrigins}, default {@code tasks: {store: memory}}), bounded at 100,000 entries for EVERY caller
 * together, least-used first out. {@code TaskOwnershipStage} refuses a context or task only when the table holds it bound
 * to another caller: one it no longer holds "binds nobody", and a message naming a context nobody holds CLAIMS it for the
 * sender before it is forwarded (and before policy: a call the policy denies claims too).
 *
 * <p>So one tenant sends message sends with fresh context ids (each a claim, whether the agent or the policy accepts it
 * or not), or creates tasks, a few times each, until the table has pushed out the victim's binding. Then it joins the
 * victim's conversation (the agent keeps its history and memory under the context id) or reads and steers the victim's
 * task, and the victim itself is refused its own conversation ({@code a2a_context_not_found}). Rate-limit buckets have a
 * per-owner share for exactly this reason ({@code max-buckets-per-owner}); these tables have none.
 *
 * <p>The class's methods are package-private, so the test drives the gateway's own instance through reflection, with the
 * exact calls {@code TaskOwnershipStage} makes (learnContext on every message send naming a context,
 * contextBoundToAnother before it; learn on a creating answer, boundToAnother on every task request).
 */
class TaskBindingEvictionReviewAGTest {

    private static final TaskScope ROUTE = TaskScope.named("agent");
    private static final String ACME = "t:acme|a:bot";
    private static final String EVIL = "t:evil|a:bot";
    /** The table's bound (TaskOrigins.MAX_TASKS) and then some. */
    private static final int FLOOD = 250_000;

    @Test
    void oneCallersFreshContextsPushOutAnothersConversationWhichItThenClaims() throws Exception {
        TaskOrigins origins = new TaskOrigins(null, Duration.ofHours(24));
        learnContext(origins, "acme-conversation", ACME);
        assertThat(contextBoundToAnother(origins, "acme-conversation", EVIL)).as("control: before the flood it is acme's").isTrue();

        for (int i = 0; i < FLOOD; i++) {
            String mine = "evil-" + i;
            // One message send each, as TaskOwnershipStage handles it: checked, claimed, checked again; then a second send.
            contextBoundToAnother(origins, mine, EVIL);
            learnContext(origins, mine, EVIL);
            contextBoundToAnother(origins, mine, EVIL);
            contextBoundToAnother(origins, mine, EVIL);
            learnContext(origins, mine, EVIL);
        }
        cleanUp(origins, "contextOwners");

        boolean stillRefused = contextBoundToAnother(origins, "acme-conversation", EVIL);
        learnContext(origins, "acme-conversation", EVIL);
        boolean acmeLockedOut = contextBoundToAnother(origins, "acme-conversation", ACME);
        assertThat(stillRefused)
                .as("after %d fresh context ids from ONE caller, acme's conversation is still refused to it (then claimed by it: %s)",
                        FLOOD, acmeLockedOut ? "acme is now refused its own conversation" : "no")
                .isTrue();
    }

    @Test
    void oneCallersTasksPushOutAnothersTaskWhichThenBindsNobody() throws Exception {
        TaskOrigins origins = new TaskOrigins(null, Duration.ofHours(24));
        learn(origins, "acme-task", "deploy", ACME);
        assertThat(boundToAnother(origins, "acme-task", EVIL)).as("control: before the flood it is acme's").isTrue();

        for (int i = 0; i < FLOOD; i++) {
            String mine = "evil-task-" + i;
            learn(origins, mine, "echo", EVIL);
            boundToAnother(origins, mine, EVIL);
            boundToAnother(origins, mine, EVIL);
            boundToAnother(origins, mine, EVIL);
        }
        cleanUp(origins, "byTask");

        assertThat(boundToAnother(origins, "acme-task", EVIL))
                .as("after %d tasks of ONE caller, acme's task is still refused to it (tasks/get, tasks/result, tasks/cancel)", FLOOD)
                .isTrue();
    }

    private static void learnContext(TaskOrigins origins, String context, String owner) throws Exception {
        Method m = TaskOrigins.class.getDeclaredMethod("learnContext", TaskScope.class, String.class, String.class);
        m.setAccessible(true);
        Future<?> done = (Future<?>) m.invoke(origins, ROUTE, context, owner);
        assertThat(done.succeeded()).isTrue();
    }

    private static boolean contextBoundToAnother(TaskOrigins origins, String context, String caller) throws Exception {
        Method m = TaskOrigins.class.getDeclaredMethod("contextBoundToAnother", TaskScope.class, String.class, String.class);
        m.setAccessible(true);
        return (Boolean) m.invoke(origins, ROUTE, context, caller);
    }

    private static void learn(TaskOrigins origins, String task, String tool, String owner) throws Exception {
        Method m = TaskOrigins.class.getDeclaredMethod("learn", TaskScope.class, String.class, String.class, String.class, String.class);
        m.setAccessible(true);
        Future<?> done = (Future<?>) m.invoke(origins, ROUTE, task, tool, owner, null);
        assertThat(done.succeeded()).isTrue();
    }

    private static boolean boundToAnother(TaskOrigins origins, String task, String caller) throws Exception {
        Method m = TaskOrigins.class.getDeclaredMethod("boundToAnother", TaskScope.class, String.class, String.class);
        m.setAccessible(true);
        return (Boolean) m.invoke(origins, ROUTE, task, caller);
    }

    private static void cleanUp(TaskOrigins origins, String table) throws Exception {
        Field f = TaskOrigins.class.getDeclaredField(table);
        f.setAccessible(true);
        ((Cache<?, ?>) f.get(origins)).cleanUp();
    }

    @TempDir
    Path dir;

    /**
     * Why policy cannot slow the flood: the claim is made in TaskOwnershipStage, before PolicyStage (where rate limits
     * and denials are). Through the gateway: every call of tenant evil is denied by policy (it never reaches the agent), yet
     * its denied message claims the context id it names, and acme, whose client then starts that conversation, is refused
     * it ({@code a2a_context_not_found}). Expected: a call the policy refuses binds nothing.
     */
    @Test
    void aMessageThePolicyDeniesStillClaimsItsContextBeforePolicy() throws Exception {
        Vertx vertx = Vertx.vertx();
        RecordingUpstream upstream = new RecordingUpstream(vertx);
        upstream.answer(request -> request.response().putHeader("Content-Type", "application/json")
                .end("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"message\":{\"messageId\":\"r1\",\"role\":\"ROLE_AGENT\","
                        + "\"parts\":[{\"text\":\"ok\"}]}}}"));
        TenantTokens tokens = TenantTokens.in(dir);
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("policies/p.yaml"), """
                name: p
                defaults: {action: allow}
                rules:
                  - name: evil-is-blocked
                    condition: {claim: {name: tenant, eq: evil}}
                    action: deny
                    message: tenant evil may not call this agent
                """);
        RunningGateway gateway = RunningGateway.start(vertx, """
                listeners: [{name: public, host: 127.0.0.1, port: 0}]
                admin: {host: 127.0.0.1, port: 0}
                policies: {directory: %s}
                %s
                routes:
                  - {name: agent, path: /agent, protocol: a2a, upstream: "%s", policy: p}
                """.formatted(dir.resolve("policies"), tokens.identityYaml().strip(), upstream.url("")));
        TestHttp http = new TestHttp(vertx);
        try {
            TestHttp.Reply denied = send(http, gateway, tokens.token("evil", "a"), "acme-next-conversation");
            assertThat(denied.body().toString()).as("evil's call is denied by policy").contains("tenant evil may not call this agent");
            assertThat(upstream.received()).isEmpty();
            TestHttp.Reply control = send(http, gateway, tokens.token("acme", "a"), "acme-other-conversation");
            assertThat(control.json().has("result")).as("control: " + control.body()).isTrue();

            TestHttp.Reply acme = send(http, gateway, tokens.token("acme", "a"), "acme-next-conversation");

            assertThat(acme.json().has("result"))
                    .as("acme starts a conversation that only a DENIED call of evil named: %s", acme.body())
                    .isTrue();
        } finally {
            http.close();
            gateway.close();
            upstream.close();
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
    }

    private static TestHttp.Reply send(TestHttp http, RunningGateway gateway, String token, String context) throws Exception {
        return http.send(TestHttp.mcpPost(gateway.port(), "/agent/a2a/jsonrpc").putHeader("X-Waxell-AXID", token),
                Buffer.buffer("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"SendMessage\",\"params\":{\"message\":{\"messageId\":\"m1\","
                        + "\"contextId\":\"" + context + "\",\"role\":\"ROLE_USER\",\"parts\":[{\"text\":\"go\"}]}}}"));
    }
}
