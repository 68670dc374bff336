package dev.tollgate.gateway.pipeline;

import dev.tollgate.gateway.errors.ErrorResponder;
import dev.tollgate.gateway.errors.RejectReason;
import dev.tollgate.gateway.limits.ConcurrentCalls;
import dev.tollgate.gateway.routing.TaskScope;
import dev.tollgate.policy.CallerKey;
import dev.tollgate.policy.TenantKey;
import io.vertx.core.Future;

/**
 * Admits a call only while its route, its tenant and its caller are under their concurrency limits (see
 * {@link dev.tollgate.gateway.config.ConcurrencyLimits}); over one, 429 with a stable reason and
 * {@code Retry-After}, before the body is read. The slot is given back when the exchange completes, however
 * it ends. The caller is {@link CallerKey} (the AXID tenant, agent and sub-user, else the SPIFFE ID; with the OAuth
 * issuer, client and subject when present), the tenant {@link TenantKey}; a caller with neither is its client's IP
 * address for both: an unauthenticated flood is limited per address.
 */
public final class ConcurrencyStage implements Stage {

    private final ConcurrentCalls calls;
    private final ErrorResponder errors;

    public ConcurrencyStage(ConcurrentCalls calls, ErrorResponder errors) {
        this.calls = calls;
        this.errors = errors;
    }

    @Override
    public String name() {
        return "concurrency";
    }

    @Override
    public Future<StageResult> apply(Exchange exchange) {
        var route = exchange.route().route();
        ConcurrentCalls.Admission admission = calls.admit(route.name(), callerKey(exchange), tenantKey(exchange), route.config().concurrency());
        if (admission instanceof ConcurrentCalls.Admitted admitted) {
            TaskScope scopes = route.taskScope();
            exchange.taskSlots(new Exchange.TaskSlots() {
                @Override
                public void started(String taskId) {
                    taskStarted(calls, exchange, taskId);
                }

                @Override
                public void ended(String taskId) {
                    calls.runningTasks().ended(scopes, taskId);
                }
            });
            exchange.onComplete(() -> {
                try {
                    handOverToTasks(exchange);
                } finally {
                    // Whatever happened above, the exchange's own slot is given back (review Z: a throw kept it for ever).
                    exchange.releaseSlot(admitted::release);
                }
            });
            return StageResult.proceed();
        }
        return refused(exchange, admission, errors);
    }

    /**
     * A task this exchange saw created holds a slot of its own from the moment the exchange gives its slot back, until it
     * is seen to end (RunningTasks); one seen to end here gives its slot back.
     */
    private void handOverToTasks(Exchange exchange) {
        if (exchange.createdTasks().isEmpty() && exchange.endedTasks().isEmpty()) {
            return;
        }
        for (TaskLifecycle.Created task : exchange.createdTasks()) {
            taskStarted(calls, exchange, task.taskId());
        }
        // Under every key of the scope (review BG): a task started before a reload renaming the scope ends after it.
        TaskScope scopes = exchange.route().route().taskScope();
        for (String taskId : exchange.endedTasks()) {
            calls.runningTasks().ended(scopes, taskId);
        }
    }

    /** A task the exchange's call created holds a slot of its caller's on the route until it is seen to end (RunningTasks). */
    static void taskStarted(ConcurrentCalls calls, Exchange exchange, String taskId) {
        String route = exchange.route().route().name();
        String caller = callerKey(exchange);
        String tenant = tenantKey(exchange);
        calls.runningTasks().started(exchange.route().route().taskScope(), taskId, () -> calls.holdTask(route, caller, tenant));
    }

    /** Answers 429 with the reason of the limit the admission ran into, and {@code Retry-After}. */
    static Future<StageResult> refused(Exchange exchange, ConcurrentCalls.Admission admission, ErrorResponder errors) {
        return refused(exchange, admission, errors, "calls in flight");
    }

    /** @param counted what the limit counted, as the detail says it ("calls in flight", or with the work held besides) */
    static Future<StageResult> refused(Exchange exchange, ConcurrentCalls.Admission admission, ErrorResponder errors, String counted) {
        var route = exchange.route().route();
        RejectReason reason;
        String detail;
        if (admission instanceof ConcurrentCalls.RouteFull full) {
            reason = RejectReason.ROUTE_CONCURRENCY_LIMIT;
            detail = "route " + route.name() + " has " + full.limit() + " " + counted + " (max-concurrent-calls)";
        } else if (admission instanceof ConcurrentCalls.TenantFull full) {
            reason = RejectReason.TENANT_CONCURRENCY_LIMIT;
            detail = "this tenant has " + full.limit() + " " + counted + " on route " + route.name()
                    + " (max-concurrent-calls-per-tenant)";
        } else {
            reason = RejectReason.CALLER_CONCURRENCY_LIMIT;
            detail = "this caller has " + ((ConcurrentCalls.CallerFull) admission).limit()
                    + " " + counted + " on route " + route.name() + " (max-concurrent-calls-per-caller)";
        }
        exchange.errorType(reason.code());
        exchange.response().putHeader("Retry-After", "1");
        errors.respond(exchange.response(), reason, null, detail);
        return StageResult.responded();
    }

    static String callerKey(Exchange exchange) {
        String owner = CallerKey.of(exchange.identity());
        return owner != null ? owner : address(exchange);
    }

    /** Whose share of the route the call counts against: {@link TenantKey}, else the client's address. */
    static String tenantKey(Exchange exchange) {
        String tenant = TenantKey.of(exchange.identity());
        return tenant != null ? tenant : address(exchange);
    }

    static String address(Exchange exchange) {
        var remote = exchange.request().remoteAddress();
        return "ip:" + (remote == null ? "unknown" : remote.hostAddress());
    }
}
