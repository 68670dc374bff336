package dev.tollgate.gateway.budget;

import dev.tollgate.gateway.config.PricingTable;
import java.util.Set;

/**
 * What the gateway makes of the skill an A2A call declares ({@code metadata.skillId}). A2A has no such field: the label
 * is a convention the agent is not bound by (an LLM agent picks its skill from the text), so a label only counts when
 * the gateway knows it for the route. A label it does not know, or none, is read fail closed: a send is priced as the
 * route's dearest skill and meets every metering rule scoped to a skill ({@link dev.tollgate.policy.CallFacts#toolUnknown}),
 * and a rate limit keyed per tool puts it in one bucket with every other unknown label.
 *
 * <p>Good: pricing {@code agent: {default: 0.01, tools: {research: 0.30}}}; a send labelled {@code research} costs $0.30
 * and keeps its own per-tool bucket, and so does an unlabelled one ($0.30, bucket "-"). Bad (what this prevents): the
 * unlabelled send priced at the $0.01 default and outside the {@code {tool: research}} budget, or {@code research-1},
 * {@code research-2}, ... each given a fresh rate-limit bucket.
 *
 * @param skill          the declared skill, or null
 * @param known          whether the gateway knows it for the route: an entry of the route's prices names or matches it,
 *                       or the route's reviewed pin manifest lists it
 * @param bucket         what a rate limit keyed per tool keys it by: the skill when priced by its own name or pinned,
 *                       the glob that prices it when only a glob does (a new name matching it is no new bucket), null
 *                       ("-") when unknown
 * @param estimateMicros what a send is priced at before it runs: its own price when known, else
 *                       {@link PricingTable#highestMicros the route's highest}
 */
public record DeclaredSkill(String skill, boolean known, String bucket, long estimateMicros) {

    /**
     * @param reviewed the skills of the route's pin manifest (empty when the route pins nothing)
     */
    public static DeclaredSkill of(PricingTable pricing, String route, String skill, Set<String> reviewed) {
        if (skill == null) {
            return new DeclaredSkill(null, false, null, pricing.highestMicros(route));
        }
        String entry = pricing.priceEntry(route, skill);
        if (reviewed.contains(skill)) {
            return new DeclaredSkill(skill, true, skill, pricing.estimateMicros(route, skill));
        }
        if (entry != null) {
            return new DeclaredSkill(skill, true, entry, pricing.estimateMicros(route, skill));
        }
        return new DeclaredSkill(skill, false, null, pricing.highestMicros(route));
    }
}
