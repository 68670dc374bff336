package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tollgate.policy.CompiledPolicy;
import dev.tollgate.protocols.mcp.ArgumentNames;

/**
 * The check that a call spells each argument one way only, refused before policy ({@link ArgumentNameDecisions}): a tool
 * binding names case-insensitively would otherwise act on {@code MODE} where the rule read {@code mode}. The names a
 * tool declares are learnt with its other listed inputs ({@link DeclaredEnums}: per session, per caller, the route's
 * latest list); a tool never listed here is checked for keys equal under folding to each other or to a name the route's
 * policy reads.
 */
public final class ArgumentNameCheck {

    // A compiled policy is immutable: the names it reads are computed once per policy (weak: a reload drops the old one).
    private final Cache<CompiledPolicy, ArgumentNames> readByPolicy = Caffeine.newBuilder().weakKeys().build();

    /**
     * The JSON pointer of the first argument of a call spelled so that a case-insensitive binder may read it as another
     * (or as a name the tool declares or the policy reads), or null.
     *
     * @param declared the names the tool's listed schema declares, or null when it was never listed here
     */
    String ambiguous(ArgumentNames declared, CompiledPolicy policy, JsonNode arguments) {
        if (arguments == null || !arguments.isObject() || arguments.isEmpty()) {
            return null;
        }
        ArgumentNames read = policy == null || policy.argumentsRead().isEmpty() ? ArgumentNames.NONE
                : readByPolicy.get(policy, p -> ArgumentNames.ofPointers(p.argumentsRead()));
        return ArgumentNames.ambiguous(arguments, declared == null ? ArgumentNames.NONE : declared, read);
    }
}
