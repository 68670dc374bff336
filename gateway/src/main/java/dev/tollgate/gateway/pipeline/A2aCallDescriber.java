package dev.tollgate.gateway.pipeline;

import dev.tollgate.policy.CallDescription;
import dev.tollgate.protocols.a2a.A2aCall;
import dev.tollgate.protocols.a2a.A2aMethod;

/** Turns an A2A call into the protocol-neutral description policy, audit and budget read. */
final class A2aCallDescriber {

    private A2aCallDescriber() {
    }

    static CallDescription describe(String route, A2aCall call) {
        return CallDescription.a2a(route, call.method().canonicalName(), call.skill(), call.view());
    }

    /** The probe asking whether a caller may ever use a skill: through either way of sending it a message. */
    static CallDescription[] skillProbes(String route, String skill) {
        return new CallDescription[] {
            CallDescription.a2a(route, A2aMethod.SEND_MESSAGE.canonicalName(), skill, null),
            CallDescription.a2a(route, A2aMethod.SEND_STREAMING_MESSAGE.canonicalName(), skill, null),
        };
    }
}
