package dev.tollgate.gateway.config;

import java.net.URI;
import java.time.Duration;
import java.util.Set;

/** Reads {@code approvals: {webhook: {url, timeout, secret}, admin-url, store: memory|redis, history}}. */
final class ApprovalsReader {

    static final Set<String> FIELDS = Set.of("webhook", "admin-url", "store", "history");
    static final Set<String> WEBHOOK_FIELDS = Set.of("url", "timeout", "secret");

    private ApprovalsReader() {
    }

    static ApprovalsConfig read(NodeReader root, RedisConfig redis) {
        if (!root.has("approvals")) {
            return ApprovalsConfig.DEFAULT;
        }
        NodeReader a = root.child("approvals");
        if (!a.isObject()) {
            a.problem("must be a mapping such as {webhook: {url: https://approver.example/hook}}");
            return ApprovalsConfig.DEFAULT;
        }
        a.rejectUnknown(FIELDS);
        ApprovalsConfig.Webhook webhook = null;
        if (a.has("webhook")) {
            NodeReader w = a.child("webhook");
            w.rejectUnknown(WEBHOOK_FIELDS);
            URI url = UpstreamsReader.url(w, "url", w.string("url", null));
            String secret = w.optionalString("secret");
            if (secret == null && w.has("secret")) {
                // An unset ${ENV} reads as empty: deliveries would go unsigned though signing was asked for (review AA).
                w.problemAt("secret", "is empty (an unset environment variable?): give the signing secret, or leave secret out to send unsigned deliveries");
            }
            webhook = url == null ? null : new ApprovalsConfig.Webhook(url, w.duration("timeout", Duration.ofSeconds(5)), secret);
        }
        URI adminUrl = a.has("admin-url") ? UpstreamsReader.url(a, "admin-url", a.string("admin-url", null)) : null;
        ApprovalsConfig.Store store = a.choice("store", ApprovalsConfig.Store.class, ApprovalsConfig.Store.MEMORY);
        if (store == ApprovalsConfig.Store.REDIS && redis == null) {
            a.problemAt("store", "redis needs the top-level redis: {uri: ...} section");
        }
        return new ApprovalsConfig(webhook, adminUrl, store, a.positiveInt("history", ApprovalsConfig.DEFAULT_HISTORY));
    }
}
