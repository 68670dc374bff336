package dev.tollgate.gateway.pipeline;

import dev.tollgate.gateway.GatewayServices;
import dev.tollgate.gateway.errors.ErrorResponder;
import dev.tollgate.gateway.upstream.UpstreamClients;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;

/** The order of the MCP pipeline, in one place, with the reason for each position. */
public final class McpPipeline {

    private McpPipeline() {
    }

    public static Pipeline create(Vertx vertx, UpstreamClients clients, ErrorResponder errors, GatewayServices services) {
        CompletionRecorder completion = new CompletionRecorder(services);
        List<Stage> stages = new ArrayList<>();
        // Cheapest checks first, before a single body byte is read: a rebinding page or a wrong verb costs nothing.
        stages.add(new HostOriginStage(errors));
        stages.add(new HttpMethodStage(errors));
        // Who is calling, from a header alone: an unauthenticated caller is refused before its body is read.
        stages.add(new IdentityStage(errors));
        // A route whose tokens the gateway validates as OAuth resource server: 401 with its own metadata, before any body.
        stages.add(new OAuthStage(errors));
        // A single-use AXID is spent only once identity and OAuth both admitted the call (a refused call spends nothing).
        stages.add(new AxidReplayStage(errors, services.replays()));
        // Who calls is settled here: a refusal from now on is audited (RefusalRecords); one before it, unauthenticated, is not.
        stages.add(new CallerIdentifiedStage());
        // A session must be the caller's own: settled from headers, before the body is read.
        stages.add(new SessionStage(errors, services.upstreams()));
        // So must the stream a GET resumes: its Last-Event-ID one the gateway relayed to this caller.
        stages.add(new ResumptionStage(errors));
        // Over a route's or a caller's concurrency limit: 429 before any body byte is read or buffered.
        stages.add(new ConcurrencyStage(services.concurrentCalls(), errors));
        if (services.audit() != null) {
            // Fail closed before any work: a call that could not be recorded is not made.
            stages.add(new AuditCapacityStage(services.audit(), errors));
        }
        // The whole body is needed before anything can be decided about it.
        stages.add(new ReadBodyStage(errors, services.metrics()));
        // Parsing precedes every stage that reads the call (policy, spans, audit, budget).
        stages.add(new ParseJsonRpcStage(errors, services.learnt().paramHeaders()));
        // A batch's requests run at once upstream: each beyond the first takes a concurrency slot of its own.
        stages.add(new BatchConcurrencyStage(services.concurrentCalls(), errors));
        // Tasks still running count against the limits when a call would start more work.
        stages.add(new TaskConcurrencyStage(services.concurrentCalls(), errors));
        // A session's upstream pairs answers by id: an id still in flight in the session is refused before anything else.
        stages.add(new SessionRequestIdStage(services.learnt().sessionRequestIds(), errors));
        // A client's answer to the gateway's own approval question: taken here, never forwarded.
        stages.add(new ElicitationAnswerStage(services.approvals(), errors));
        // A 2026 client's retry carrying its user's answer to that question: the approval ends with it, the call goes on as
        // it ended (never held again), without the gateway's requestState; any other requestState is left to later stages.
        stages.add(new AskClientRetryStage(services.approvals(), errors));
        // Whose are the tasks and context the call names, when another replica learnt it: fetched before anything reads it.
        stages.add(new TaskStorePrefetchStage(services.learnt().taskOrigins(), errors));
        // Another caller's task does not exist for this one: refused before policy, never forwarded.
        stages.add(new TaskOwnershipStage(services.learnt().taskOrigins(), errors));
        // A tasks/list page is asked for with a cursor this gateway sealed to the caller, never one the caller made up.
        stages.add(new TaskListCursorStage(errors));
        // So is an A2A ListTasks page, with a page token this gateway sealed to the caller.
        stages.add(new A2aPageTokenStage(errors));
        // So is a 2026 retry with the requestState this gateway sealed to the caller and the call: the upstream gets its own.
        stages.add(new RequestStateStage(errors, services.approvals()));
        // Late answers of calls paid earlier are read for their cost (a task's result, a resumed stream's response).
        if (services.budgets() != null) {
            stages.add(new DeferredCostWatchStage(services.budgets().deferred(), services.learnt().taskOrigins().sharedStore() != null));
        }
        stages.add(new AuditAdmissionStage(services.audit(), errors));
        // A call to a tool no list through this process named (a restart, another replica) waits for the gateway's own
        // tools list of the upstream, so that policy checks its declared values (review CE); refused when none can be had.
        stages.add(new ToolSchemaPrefetchStage(vertx, clients, services.upstreams(), services.learnt(), errors));
        // Decides only; answering a denial waits until the decision is on the span.
        // Spend is read (from cache: at once) only for policies with a budget rule, before they are evaluated.
        stages.add(new SpendStage(services.budgets()));
        stages.add(new PolicyStage(services.budgets(), services.learnt().taskOrigins(), services.learnt().pins(),
                services.learnt().withheldTools(), services.learnt().declaredEnums(), services.toolCallCounts(),
                services.learnt().argumentNames()));
        // The span starts with the decision on it, before anything is forwarded or answered.
        stages.add(new TraceStage(services.telemetry()));
        // A call its policy sends to a person waits here, traced and not yet forwarded (no thread waits with it).
        stages.add(new ApprovalStage(services.approvals(), services.concurrentCalls(), errors, services.learnt().withheldTools(),
                services.budgets(), services.learnt().declaredEnums(), services.learnt().argumentNames()));
        // A denied call is answered here and never reaches the upstream.
        stages.add(new EnforceStage(errors));
        // Only a call about to be forwarded binds: a message claims its context, a call that may start a task or a
        // conversation needs room in its tenant's share of the task table (a refused call claims nothing).
        stages.add(new TaskBindingClaimStage(services.learnt().taskOrigins(), errors));
        // An approved ask-client retry spends its approval's one call here, once nothing else can refuse it.
        stages.add(new AskClientReleaseStage(services.approvals(), errors));
        // Last: only vetted requests reach the upstream.
        stages.add(new ForwardStage(vertx, clients, errors, services.metrics(), completion, services.learnt(), services.upstreams()));
        return new Pipeline(stages, errors, completion);
    }
}
