package dev.tollgate.gateway.pipeline;

import dev.tollgate.gateway.budget.Budgets;
import dev.tollgate.gateway.budget.SpendView;
import dev.tollgate.policy.CompiledPolicy;
import dev.tollgate.policy.budget.SpendKey;
import dev.tollgate.policy.check.BudgetCheck;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * Reads the spend of the caller's spawn tree before policy, for policies with a budget rule only. From
 * the cache this completes at once; only a tree's first call (or one after the cache's hard expiry) waits
 * for the ledger, without blocking the event loop. A caller whose AXID names no tenant or tree gets an
 * unknown spend, and budget rules then deny.
 */
final class SpendStage implements Stage {

    private final Budgets budgets;

    SpendStage(Budgets budgets) {
        this.budgets = budgets;
    }

    @Override
    public String name() {
        return "spend";
    }

    @Override
    public Future<StageResult> apply(Exchange exchange) {
        CompiledPolicy policy = exchange.policy();
        boolean hasCall = !exchange.messages().isEmpty() || exchange.a2a() != null && exchange.a2a().call() != null;
        if (!hasCall || policy == null || !policy.usesCheck(BudgetCheck.NAME)) {
            return StageResult.proceed();
        }
        SpendKey key = Budgets.keyOf(exchange.identity());
        if (key == null) {
            exchange.spend(SpendView.unavailable("the caller's AXID names no tenant and spawn tree; budget rules deny (fail closed)"));
            return StageResult.proceed();
        }
        Future<SpendView> view = budgets.view(key, Vertx.currentContext());
        if (view.succeeded()) {
            exchange.spend(view.result());
            return StageResult.proceed();
        }
        return view.map(v -> {
            exchange.spend(v);
            return StageResult.CONTINUE;
        });
    }
}
