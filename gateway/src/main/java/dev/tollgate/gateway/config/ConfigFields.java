package dev.tollgate.gateway.config;

import java.util.Set;

/**
 * The field sets the configuration readers pass to {@code rejectUnknown}, one per YAML mapping, published for the JSON
 * Schema generator ({@code dev.tollgate.gateway.schema}). The schema reads them from here instead of retyping them, so
 * a field the loader learns is a field the schema must describe (its test fails until it does).
 */
public final class ConfigFields {

    public static final Set<String> TOP_LEVEL = ConfigLoader.TOP_LEVEL;
    public static final Set<String> LISTENER = ConfigLoader.LISTENER_FIELDS;
    public static final Set<String> TLS = ConfigLoader.TLS_FIELDS;
    public static final Set<String> ADMIN = ConfigLoader.ADMIN_FIELDS;
    public static final Set<String> LIMITS = ConfigLoader.LIMIT_FIELDS;
    public static final Set<String> POLICIES = ConfigLoader.POLICIES_FIELDS;
    public static final Set<String> CUSTOM_CHECK = ConfigLoader.CUSTOM_CHECK_FIELDS;
    public static final Set<String> TELEMETRY = ConfigLoader.TELEMETRY_FIELDS;
    public static final Set<String> AUDIT = ConfigLoader.AUDIT_FIELDS;
    public static final Set<String> IDENTITY = ConfigLoader.IDENTITY_FIELDS;
    public static final Set<String> AXID = ConfigLoader.AXID_FIELDS;
    public static final Set<String> AXID_BINDING = ConfigLoader.BINDING_FIELDS;
    public static final Set<String> BUDGETS = ConfigLoader.BUDGET_FIELDS;
    public static final Set<String> HTTP_LEDGER = ConfigLoader.HTTP_LEDGER_FIELDS;
    public static final Set<String> REDIS = ConfigLoader.REDIS_FIELDS;
    public static final Set<String> RATE_LIMITS = ConfigLoader.RATE_LIMIT_FIELDS;
    public static final Set<String> SESSIONS = ConfigLoader.SESSION_FIELDS;
    public static final Set<String> SESSION_KEY = ConfigLoader.SESSION_KEY_FIELDS;
    public static final Set<String> APPROVALS = ApprovalsReader.FIELDS;
    public static final Set<String> APPROVALS_WEBHOOK = ApprovalsReader.WEBHOOK_FIELDS;
    public static final Set<String> TASKS = TasksReader.FIELDS;
    /** Includes the upstream fields of {@link #ROUTE_UPSTREAMS}. */
    public static final Set<String> ROUTE = ConfigLoader.ROUTE_FIELDS;
    public static final Set<String> ROUTE_UPSTREAMS = UpstreamsReader.ROUTE_FIELDS;
    public static final Set<String> UPSTREAM_ENDPOINT = UpstreamsReader.ENDPOINT_FIELDS;
    public static final Set<String> HEALTH_CHECK = UpstreamsReader.HEALTH_FIELDS;
    public static final Set<String> OUTLIER_EJECTION = UpstreamsReader.EJECTION_FIELDS;
    public static final Set<String> UPSTREAM_TLS = UpstreamTlsReader.FIELDS;
    public static final Set<String> A2A_ROUTE = ConfigLoader.A2A_ROUTE_FIELDS;
    public static final Set<String> OAUTH = OAuthReader.FIELDS;
    public static final Set<String> OAUTH_INTROSPECTION = OAuthReader.INTROSPECTION_FIELDS;
    public static final Set<String> OAUTH_UPSTREAM_CREDENTIAL = OAuthReader.CREDENTIAL_FIELDS;
    public static final Set<String> OAUTH_GRANT = OAuthReader.GRANT_FIELDS;
    public static final Set<String> PINNING = PinningReader.FIELDS;

    private ConfigFields() {
    }
}
