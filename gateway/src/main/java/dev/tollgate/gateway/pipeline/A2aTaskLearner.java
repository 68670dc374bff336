package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.policy.CallerKey;
import dev.tollgate.protocols.a2a.A2aMethod;
import dev.tollgate.protocols.json.JsonRejection;
import dev.tollgate.protocols.json.StrictJsonParser;
import io.vertx.core.Future;

/**
 * Learns, from the answer to an A2A message send (a JSON answer or each event of its stream), which task the
 * call created or continued, so that task is bound to the caller (see {@link TaskOwnershipStage}), and which context
 * (conversation) it belongs to, bound to the caller that started it. Reads the
 * 1.0 shapes ({@code {task: {id}}}, {@code {statusUpdate: {taskId}}}, {@code {artifactUpdate: {taskId}}}) and
 * the 0.3 ones ({@code kind: task} with {@code id}, status and artifact updates with {@code taskId}), under a
 * JSON-RPC {@code result} or bare (HTTP+JSON). An answer it cannot read teaches nothing and is relayed as it is.
 * A call creates one task: once it is learnt, later events of the stream are not parsed again.
 */
final class A2aTaskLearner {

    private static final StrictJsonParser PARSER = new StrictJsonParser();

    private final TaskOrigins tasks;
    private final String route;
    private final String skill;
    private final String owner;
    private final String instance;
    private boolean learnt;

    private A2aTaskLearner(TaskOrigins tasks, String route, String skill, String owner, String instance) {
        this.tasks = tasks;
        this.route = route;
        this.skill = skill;
        this.owner = owner;
        this.instance = instance;
    }

    /**
     * A learner for a message send by a caller something can be bound to, or on a route with several instances (the
     * task's follow-ups must reach the instance that holds it); null otherwise (nothing to learn).
     */
    static A2aTaskLearner of(Exchange exchange, TaskOrigins tasks) {
        var call = exchange.a2a().call();
        String owner = CallerKey.of(exchange.identity());
        boolean affinity = exchange.route().route().config().upstreams().endpoints().size() > 1;
        if (call == null || (owner == null && !affinity)
                || (call.method() != A2aMethod.SEND_MESSAGE && call.method() != A2aMethod.SEND_STREAMING_MESSAGE)) {
            return null;
        }
        return new A2aTaskLearner(tasks, exchange.route().route().name(), call.skill(), owner,
                affinity && exchange.upstreamInstance() != null ? exchange.upstreamInstance().url() : null);
    }

    /**
     * Learns the context and task an answer (or one stream event) names. Completes when their bindings are in the shared
     * store (at once without one, or when nothing is new); fails when a binding could not be written there.
     */
    Future<Void> learnFrom(byte[] json) {
        if (learnt) {
            return Future.succeededFuture();
        }
        JsonNode root;
        try {
            root = PARSER.parse(json);
        } catch (JsonRejection e) {
            return Future.succeededFuture();
        }
        JsonNode answer = root.has("result") ? root.get("result") : root;
        String contextId = contextId(answer);
        Future<Void> context = contextId == null ? Future.succeededFuture() : tasks.learnContext(route, contextId, owner);
        String taskId = taskId(answer);
        if (taskId == null) {
            return context;
        }
        learnt = true;
        // A task already bound keeps its first owner: an answer cannot hand another caller's task to this one.
        if (tasks.of(route, taskId) != null) {
            return context;
        }
        Future<Void> task = tasks.learn(route, taskId, skill, owner, instance);
        return context.succeeded() ? task : task.succeeded() ? context : Future.all(context, task).mapEmpty();
    }

    /**
     * The context of a task, message, status or artifact update (1.0 shapes, the 0.3 HTTP+JSON proto's {@code msg}, or
     * 0.3's at the top with {@code kind}).
     */
    private static String contextId(JsonNode answer) {
        for (JsonNode candidate : new JsonNode[] {answer.path("task").get("contextId"), answer.path("message").get("contextId"), answer.path("msg").get("contextId"),
                answer.path("statusUpdate").get("contextId"), answer.path("artifactUpdate").get("contextId"), answer.get("contextId")}) {
            if (candidate != null && candidate.isTextual() && !candidate.textValue().isEmpty()) {
                return candidate.textValue();
            }
        }
        return null;
    }

    private static String taskId(JsonNode answer) {
        for (JsonNode candidate : new JsonNode[] {answer.path("task").get("id"), answer.path("statusUpdate").get("taskId"),
                answer.path("artifactUpdate").get("taskId"), "task".equals(answer.path("kind").asText()) ? answer.get("id") : null,
                answer.get("taskId")}) {
            if (candidate != null && candidate.isTextual() && !candidate.textValue().isEmpty()) {
                return candidate.textValue();
            }
        }
        return null;
    }
}
