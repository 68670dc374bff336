package dev.tollgate.policy.check;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A name a policy document may use for a registered check with its arguments fixed by the operator, e.g.
 * AGT's {@code custom_check: waxell_budget_check} bound to {@code budget} with {@code limit_usd: 10}. The
 * document says what to check; the gateway's configuration says with which limits.
 *
 * @param check the registered check's name
 * @param args  its arguments (null for none)
 */
public record CheckBinding(String check, JsonNode args) {
}
