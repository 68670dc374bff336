package dev.tollgate.gateway.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tollgate.policy.CompiledPolicy;
import dev.tollgate.protocols.mcp.ArgumentNames;
import java.util.Set;

/**
 * The check that a call spells each argument one way only, refused before policy ({@link ArgumentNameDecisions}): a tool
 * binding names case-insensitively would otherwise act on {@code MODE} where the rule read {@code mode}. The names a
 * tool declares are learnt with its other listed inputs ({@link DeclaredEnums}: per session, per caller, the route's
 * latest list); a tool never listed here is checked for keys equal under folding to each other or to a name the rules
 * that can apply to it read (those naming it, or no tool).
 */
public final class ArgumentNameCheck {

    // A compiled policy is immutable and holds one set of pointers per tool a rule names and one for every other tool
    // (so caller-chosen tool names add no entry): the names a set reads are computed once per set, found by the set's
    // identity (weak keys compare by identity, and a reload drops the old policy's sets), not by hashing and comparing
    // a hundred-pointer set on every call.
    private final Cache<Set<String>, ArgumentNames> readByPointers = Caffeine.newBuilder().weakKeys()
            .executor(Runnable::run).build(); // read on every call: upkeep on the reading thread, no common-pool wake-ups

    /**
     * The JSON pointer of the first argument of a call spelled so that a case-insensitive binder may read it as another
     * (or as a name the tool declares or the policy reads), or null.
     *
     * @param declared the names the tool's listed schema declares, or null when it was never listed here
     * @param tool     the called tool: held to the names only the rules that can apply to it read, not every rule's
     */
    String ambiguous(ArgumentNames declared, CompiledPolicy policy, String tool, JsonNode arguments) {
        if (arguments == null || !arguments.isObject() || arguments.isEmpty()) {
            return null;
        }
        Set<String> pointers = policy == null ? Set.of() : policy.argumentsRead(tool);
        ArgumentNames read = pointers.isEmpty() ? ArgumentNames.NONE : readByPointers.get(pointers, ArgumentNames::ofPointers);
        return ArgumentNames.ambiguous(arguments, declared == null ? ArgumentNames.NONE : declared, read);
    }
}
