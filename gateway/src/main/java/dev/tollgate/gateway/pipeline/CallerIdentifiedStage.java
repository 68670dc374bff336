package dev.tollgate.gateway.pipeline;

import dev.tollgate.policy.Identity;
import io.vertx.core.Future;

/**
 * Notes that the identity stages before it (SPIFFE, AXID, OAuth, the AXID's single use) all admitted the call and that
 * they established who calls: from here on a refusal of the call is audited ({@link RefusalRecords}). A call they
 * refused, or one that named nobody (a route that asks for no identity), is not: unauthenticated traffic must not be
 * able to fill the audit queue, and its refusals stay in the metrics and the access log.
 */
final class CallerIdentifiedStage implements Stage {

    @Override
    public String name() {
        return "caller-identified";
    }

    @Override
    public Future<StageResult> apply(Exchange exchange) {
        exchange.identified(!Identity.ANONYMOUS.equals(exchange.identity()));
        return StageResult.proceed();
    }
}
