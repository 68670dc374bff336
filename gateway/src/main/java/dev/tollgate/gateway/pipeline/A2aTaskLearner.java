package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.gateway.routing.TaskScope;
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
 * JSON-RPC {@code result} or bare (HTTP+JSON), with every name and value the client reads ({@link A2aAnswerIds}). An
 * answer it cannot read as the client does is not relayed: the client would hold a task or context bound to nobody.
 * Every event of a stream is read, not only until the first task is learnt: a later event naming another task or
 * context binds it too (else the client would hold one bound to nobody, anyone's to read), and one naming it in a
 * form the client reads otherwise is withheld like the first.
 */
final class A2aTaskLearner {

    private static final StrictJsonParser PARSER = new StrictJsonParser();

    private final TaskOrigins tasks;
    private final TaskScope scope;
    private final String skill;
    private final String owner;
    private final String instance;

    private A2aTaskLearner(TaskOrigins tasks, TaskScope scope, String skill, String owner, String instance) {
        this.tasks = tasks;
        this.scope = scope;
        this.skill = skill;
        this.owner = owner;
        this.instance = instance;
    }

    /**
     * A learner for a message send (the task's follow-ups must reach the instance that holds it, and its caller, when
     * something can be bound to one, owns it); null otherwise (nothing to learn).
     */
    static A2aTaskLearner of(Exchange exchange, TaskOrigins tasks) {
        var call = exchange.a2a().call();
        String owner = CallerKey.of(exchange.identity());
        // The instance is bound whatever the number of instances: a reload may scale the route out (review AY).
        String instance = exchange.upstreamInstance() != null ? exchange.upstreamInstance().url() : null;
        if (call == null || (owner == null && instance == null)
                || (call.method() != A2aMethod.SEND_MESSAGE && call.method() != A2aMethod.SEND_STREAMING_MESSAGE)) {
            return null;
        }
        return new A2aTaskLearner(tasks, exchange.route().route().taskScope(), call.skill(), owner, instance);
    }

    /** An answer naming a task or context in a form the client could read otherwise: not relayed. */
    static final class UnreadableAnswer extends Exception {
        private static final long serialVersionUID = 1L;

        UnreadableAnswer(String detail) {
            super(detail, null, false, false);
        }
    }

    /**
     * An answer (or one stream event) as the client reads it: its JSON-RPC {@code result}, or the HTTP+JSON body itself.
     * Parsed once for everything that reads it (the task it binds, the task state it shows).
     *
     * @throws UnreadableAnswer when it is not JSON the gateway reads as the client does (duplicate keys included)
     */
    static JsonNode answerOf(byte[] json) throws UnreadableAnswer {
        JsonNode root;
        try {
            root = PARSER.parse(json);
        } catch (JsonRejection e) {
            throw new UnreadableAnswer("the answer to a message is not JSON the gateway can read (" + e.getMessage() + ")");
        }
        return root.has("result") ? root.get("result") : root;
    }

    /**
     * Learns the context and task an answer (or one stream event, see {@link #answerOf}) names. Completes when their bindings are in the shared
     * store (at once without one, or when nothing is new); fails when a binding could not be written there.
     *
     * @throws UnreadableAnswer when the answer is not JSON the gateway reads as the client does (the client would hold a
     *                          task or context bound to nobody), or names it ambiguously: the answer is withheld
     */
    Future<Void> learnFrom(JsonNode answer) throws UnreadableAnswer {
        if (!answer.isObject()) {
            return Future.succeededFuture();
        }
        String contextId = A2aAnswerIds.named(answer, A2aAnswerIds.Kind.CONTEXT);
        Future<Void> context = contextId == null ? Future.succeededFuture() : TaskOrigins.required(tasks.learnContext(scope, contextId, owner));
        String taskId = A2aAnswerIds.named(answer, A2aAnswerIds.Kind.TASK);
        if (taskId == null) {
            return context;
        }
        // A task already bound keeps its first owner: an answer cannot hand another caller's task to this one.
        if (tasks.of(scope, taskId) != null) {
            return context;
        }
        Future<Void> task = TaskOrigins.required(tasks.learn(scope, taskId, skill, owner, instance));
        return context.succeeded() ? task : task.succeeded() ? context : Future.all(context, task).mapEmpty();
    }
}
