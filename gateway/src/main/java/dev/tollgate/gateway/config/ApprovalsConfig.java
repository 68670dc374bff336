package dev.tollgate.gateway.config;

import java.net.URI;
import java.time.Duration;

/**
 * How calls held by an {@code approve} rule reach a person and how the decision comes back.
 *
 * @param webhook  where each new approval is POSTed; null for none (approvers then watch {@code GET /approvals})
 * @param adminUrl the admin port's address as approvers reach it, for the links in the webhook; null: the configured
 *                 admin host and port
 * @param store    {@code memory} (this replica) or {@code redis} (every replica lists and decides every approval)
 * @param history  decided approvals kept for {@code GET /approvals} on this replica
 */
public record ApprovalsConfig(Webhook webhook, URI adminUrl, Store store, int history) {

    public static final int DEFAULT_HISTORY = 1000;
    public static final ApprovalsConfig DEFAULT = new ApprovalsConfig(null, null, Store.MEMORY, DEFAULT_HISTORY);

    public enum Store { MEMORY, REDIS }

    /**
     * @param url     the approver's endpoint (http or https)
     * @param timeout per delivery attempt
     * @param secret  signs each delivery ({@code X-Tollgate-Signature: sha256=<hex HMAC of the body>}); null: unsigned
     */
    public record Webhook(URI url, Duration timeout, String secret) {
    }
}
