package dev.tollgate.gateway.pipeline;

import dev.tollgate.gateway.errors.ErrorResponder;
import dev.tollgate.gateway.errors.RejectReason;
import dev.tollgate.gateway.identity.JtiReplayGuard;
import dev.tollgate.gateway.identity.VerifiedAxid;
import io.vertx.core.Future;

/**
 * On a {@code single-use} route, spends the AXID's {@code jti} once the call was admitted by identity (the token, its
 * binding to the SPIFFE ID) and by OAuth (the bearer token, its subject): the one check-and-record, atomic in
 * {@link JtiReplayGuard#use}. Review BH: the identity stage spent it before the binding check, so another workload
 * presenting a token it was refused burnt it for its owner (and so did a call the OAuth stage then refused).
 */
final class AxidReplayStage implements Stage {

    private final ErrorResponder errors;
    private final JtiReplayGuard replays;

    AxidReplayStage(ErrorResponder errors, JtiReplayGuard replays) {
        this.errors = errors;
        this.replays = replays;
    }

    @Override
    public String name() {
        return "axid-replay";
    }

    @Override
    public Future<StageResult> apply(Exchange exchange) {
        VerifiedAxid verified = exchange.singleUseAxid();
        if (verified == null) {
            return StageResult.proceed();
        }
        return switch (replays.use(verified.jti(), verified.expiresAt(), exchange.snapshot().config().axid().clockSkew())) {
            case REPLAYED -> IdentityStage.reject(errors, exchange, RejectReason.AXID_REPLAYED,
                    "token " + verified.jti() + " was already used on a single-use route");
            case GUARD_FULL -> IdentityStage.reject(errors, exchange, RejectReason.AXID_REPLAY_GUARD_FULL,
                    "the gateway remembers as many single-use token ids as it may; expired ones are dropped soon");
            case FIRST -> StageResult.proceed(); // accepted once, remembered from now on
        };
    }
}
