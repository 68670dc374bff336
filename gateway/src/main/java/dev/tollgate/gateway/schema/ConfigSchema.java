package dev.tollgate.gateway.schema;

import static dev.tollgate.gateway.schema.Types.bool;
import static dev.tollgate.gateway.schema.Types.byteSize;
import static dev.tollgate.gateway.schema.Types.choice;
import static dev.tollgate.gateway.schema.Types.duration;
import static dev.tollgate.gateway.schema.Types.integer;
import static dev.tollgate.gateway.schema.Types.listOf;
import static dev.tollgate.gateway.schema.Types.port;
import static dev.tollgate.gateway.schema.Types.string;
import static dev.tollgate.gateway.schema.Types.strings;
import static dev.tollgate.gateway.schema.Types.text;
import static dev.tollgate.gateway.schema.Types.url;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.config.A2aRouteConfig;
import dev.tollgate.gateway.config.ApprovalsConfig;
import dev.tollgate.gateway.config.AuditConfig;
import dev.tollgate.gateway.config.AxidConfig;
import dev.tollgate.gateway.config.AxidMode;
import dev.tollgate.gateway.config.BudgetConfig;
import dev.tollgate.gateway.config.ConfigFields;
import dev.tollgate.gateway.config.PinningConfig;
import dev.tollgate.gateway.config.Protocol;
import dev.tollgate.gateway.config.RateLimitConfig;
import dev.tollgate.gateway.config.TasksConfig;
import dev.tollgate.gateway.config.UpstreamsConfig;
import dev.tollgate.gateway.schema.SchemaBuilder.Fields;
import java.util.Arrays;

/**
 * The JSON Schema of gateway.yaml. Which fields each mapping has comes from {@link ConfigFields} (the loaders' own
 * sets); this class only says what each one means and what kind of value it takes.
 */
public final class ConfigSchema {

    public static final String FILE_NAME = "gateway.schema.json";

    private ConfigSchema() {
    }

    public static GeneratedSchema generate() {
        SchemaBuilder b = new SchemaBuilder();
        ObjectNode root = b.mapping("gateway.yaml", "Tollgate gateway configuration (README \"Configuration reference\").",
                ConfigFields.TOP_LEVEL, new Fields()
                        .add("listeners", "Client-facing HTTP listeners; agents are pointed at these.", listOf(listener(b)))
                        .add("admin", "Operator endpoints on their own port: /healthz, /readyz, /metrics, /explain, /reload.", admin(b))
                        .add("limits", "Limits on every request.", limits(b))
                        .add("policies", "Where the policy documents are, and named custom checks they may use.", policies(b))
                        .add("telemetry", "Tracing (OpenTelemetry) and the access log.", telemetry(b))
                        .add("audit", "The hash-chained audit log: one JSON line per decision.", audit(b))
                        .add("identity", "How callers prove who they are.", identity(b))
                        .add("routes", "Gateway path prefixes and the upstream each forwards to; the longest matching prefix wins.",
                                listOf(route(b)))
                        .add("budgets", "Spend per (tenant, spawn tree), read through a cache and charged from a pricing table.", budgets(b))
                        .add("redis", "The Redis shared by replicas (ledger: redis, rate-limits store: redis, approvals store: redis, tasks store: redis).", redis(b))
                        .add("rate-limits", "Where rate_limit checks keep their counters.", b.mapping("rate-limits",
                                "Rate limit state.", ConfigFields.RATE_LIMITS, new Fields()
                                        .add("store", "local: per instance | redis: shared by replicas.", choice(RateLimitConfig.Store.class))
                                        .add("max-local-buckets", "With store: local, the buckets all tenants share (each is kept until full again); "
                                                + "past this a call needing a new one is denied, fail closed, except a tenant holding fewer than "
                                                + "max-buckets-per-owner while others hold more, from a reserve of at most a quarter of this. Default 200000.", integer(1))
                                        .add("max-buckets-per-owner", "With store: local, the most buckets one caller holds in a rule keyed by tool, "
                                                + "method or route (names the call chooses). Default 1000.", integer(1))
                                        .add("max-buckets-per-tenant", "With store: local, the most buckets one tenant (AXID tenant, else SPIFFE ID, "
                                                + "else OAuth subject) holds, every rule together; past it that tenant's calls needing a new bucket are "
                                                + "denied, fail closed. Default max-local-buckets.", integer(1))))
                        .add("sessions", "Keys that seal MCP session ids so that every replica can route a session.", sessions(b))
                        .add("approvals", "Calls held until a person approves them (rules with action: approve).", approvals(b))
                        .add("tasks", "Where task and context ownership is kept.", b.mapping("tasks", "Task ownership.", ConfigFields.TASKS,
                                new Fields().add("store", "memory (each replica knows the tasks created through it, default) | redis (every "
                                        + "replica knows every task; a request naming a task is refused 503 task_store_unavailable when Redis "
                                        + "cannot answer; needs redis).", choice(TasksConfig.Store.class))
                                        .add("retention", "How long a task or context is kept after it was last named (with store: redis, "
                                                + "Redis keeps it 1/24 longer and each replica binds it again while in use). 1s to 720h. "
                                                + "Read at start. Default 24h.", duration())
                                        .add("max-bindings-per-tenant", "The most tasks, and the most A2A contexts, one AXID tenant (else one "
                                                + "caller) holds in a replica's table; past it a call that could start another is refused 429 "
                                                + "task_bindings_full, and no binding is ever pushed out for another. Read at start. Default 20000.",
                                                integer(1)))),
                "listeners", "routes");
        return new GeneratedSchema(FILE_NAME, b.document("gateway.yaml", root), b.drift());
    }

    private static ObjectNode listener(SchemaBuilder b) {
        return b.define("listener", b.mapping("listeners[]", "One HTTP listener.", ConfigFields.LISTENER, new Fields()
                .add("name", "Unique name, used in logs (and by upstream-tls.svid).", text())
                .add("host", "Address to bind; 0.0.0.0 for every interface. Default 127.0.0.1.", string())
                .add("port", "Port to bind; 0 picks a free port.", port())
                .add("allowed-hosts", "Host header names accepted (port ignored), others get 403 forbidden_host; \"*\" disables the check. Default localhost, 127.0.0.1, [::1].", strings())
                .add("allowed-origins", "Origin values accepted when the header is present (\"*\" matches within one component), others get 403 forbidden_origin. Default: localhost, 127.0.0.1 and [::1], any port.", strings())
                .add("tls", "mTLS with SPIFFE SVIDs, from PEM files or the SPIFFE Workload API.", tls(b)), "port"));
    }

    private static ObjectNode tls(SchemaBuilder b) {
        return b.mapping("listeners[].tls", "A listener's mTLS settings.", ConfigFields.TLS, new Fields()
                .add("source", "files (PEM files, watched and reloaded) or workload-api (a SPIRE agent). Default: workload-api when socket is set.",
                        choice("files", "workload-api"))
                .add("cert-chain", "PEM certificate chain (source: files), relative to this file.", string())
                .add("private-key", "PEM private key (source: files), relative to this file.", string())
                .add("trust-bundle", "PEM trust bundle (source: files), relative to this file.", string())
                .add("trust-domains", "Only SVIDs of these SPIFFE trust domains are accepted.", strings())
                .add("engine", "TLS engine: openssl (BoringSSL) or jdk.", choice("openssl", "jdk"))
                .add("socket", "Workload API address such as unix:/run/spire/agent.sock.", string())
                .add("timeout", "How long to wait for the first SVID from the Workload API (at least 1s). Default 10s.", duration()),
                "trust-domains");
    }

    private static ObjectNode admin(SchemaBuilder b) {
        return b.mapping("admin", "The admin listener.", ConfigFields.ADMIN, new Fields()
                .add("host", "Address to bind. Default 127.0.0.1.", string())
                .add("port", "Port to bind. Default 9090.", port())
                .add("allowed-hosts", "Host header values accepted on everything but /healthz and /readyz.", strings())
                .add("allowed-origins", "Origin header values accepted.", strings())
                .add("token", "Bearer token for POST /explain and POST /reload (at least 16 characters, e.g. openssl rand -base64 32).",
                        string()));
    }

    private static ObjectNode limits(SchemaBuilder b) {
        return b.mapping("limits", "Request limits. Sizes take B (default), KiB, MiB, GiB.", ConfigFields.LIMITS, new Fields()
                .add("max-body-bytes", "Larger request bodies get 413 body_too_large. Default 4MiB.", byteSize())
                .add("max-json-depth", "Deeper JSON nesting gets 400 nesting_too_deep (at most 1000). Default 64.", integer(1))
                .add("max-buffered-response-bytes", "a2a routes: JSON answers up to this size are relayed in one write; larger ones are streamed. Default 1MiB.", byteSize())
                .add("max-batch-messages", "Larger JSON-RPC batches get 400 batch_too_large. Default 100.", integer(1))
                .add("max-inspected-response-bytes", "mcp routes: every JSON answer is read and checked before relaying; a larger one gets 502 upstream_response_too_large. Default 16MiB.", byteSize())
                .add("header-timeout", "A new connection must deliver a request's headers within this, or it is closed. Default 10s.", duration())
                .add("body-timeout", "A request's whole body must arrive within this once its headers did, or 408 body_timeout. Default 30s.", duration())
                .add("idle-timeout", "A connection with no request in flight is closed after this (a call in flight is never cut by it). Default 120s.", duration())
                .add("max-scanned-result-bytes", "The largest result (or stream event) result rules read; a larger one is unscannable. Default 1MiB.", byteSize())
                .add("unscannable-results", "deny (default): a result too large for result rules to read is withheld | allow: relayed unread.",
                        choice("deny", "allow")));
    }

    private static ObjectNode policies(SchemaBuilder b) {
        ObjectNode customCheck = b.define("custom-check", b.mapping("policies.custom-checks.*",
                "A name policy documents may use for a registered check with fixed arguments.", ConfigFields.CUSTOM_CHECK, new Fields()
                        .add("check", "The registered check: argument_size, budget, rate_limit.", string())
                        .add("args", "The check's arguments.", Types.anyObject()), "check"));
        return b.mapping("policies", "Policy documents.", ConfigFields.POLICIES, new Fields()
                .add("directory", "Folder of policy documents (*.yaml; *.tests.yaml are policy tests), relative to this file.", string())
                .add("custom-checks", "Named check bindings, e.g. {waxell_budget_check: {check: budget, args: {limit_usd: 10}}}.",
                        Types.mapOf(customCheck)), "directory");
    }

    private static ObjectNode telemetry(SchemaBuilder b) {
        return b.mapping("telemetry", "Tracing; the standard OTEL_* variables win over these.", ConfigFields.TELEMETRY, new Fields()
                .add("service-name", "service.name on spans. Default tollgate.", string())
                .add("traces-exporter", "Where spans go when OTEL_TRACES_EXPORTER is unset. Default none.",
                        choice("none", "otlp", "logging", "logging-otlp", "console"))
                .add("record-arguments", "Put tool arguments on spans (they may hold secrets). Default false.", bool())
                .add("redact", "JSON pointers replaced by \"[REDACTED]\" on spans and in the audit log, e.g. /password.", strings())
                .add("upstream-spans", "A CLIENT span per upstream request besides the call's SERVER span. Default false.", bool())
                .add("incoming-trace", "continue: a call's span continues the caller's traceparent (default); link: each call starts a trace of its own, linked to the caller's span, and the caller's traceparent and tracestate are not passed upstream.", Types.choice("continue", "link"))
                .add("decision-span-after", "A call still open this long (or streamed) exports its decision at once on a short policy decision span. Default 1s.", duration())
                .add("sample-allowed", "Share (0 to 1) of allowed, successful calls whose spans are exported; denied, audited, approval and failed calls, and calls with result findings or unreviewed tools, always are. Default 1.", Types.share())
                .add("access-log", "One log line per call. Default true.", bool()));
    }

    private static ObjectNode audit(SchemaBuilder b) {
        return b.mapping("audit", "Audit log settings; verify with tollgate audit verify.", ConfigFields.AUDIT, new Fields()
                .add("directory", "Folder of audit-NNNNNN.jsonl files, relative to this file.", string())
                .add("max-file-bytes", "Rotate past this size; the chain continues into the next file. Default 64MiB.", byteSize())
                .add("queue-capacity", "Records waiting for the writer thread. Default 10000.", integer(1))
                .add("when-full", "reject (default): 503 audit_unavailable when records do not fit or writes fail (fail closed) | drop: count and go on.", choice(AuditConfig.WhenFull.class))
                .add("arguments", "none | digest (args_digest only, keyed like findings' digests; default) | full (redacted; needed by replay).", choice(AuditConfig.ArgumentsMode.class))
                .add("key-file", "A file of at least 32 secret bytes (e.g. openssl rand -hex 32): lines are sealed with HMAC-SHA256 under it, "
                        + "so only its holder can seal a rewritten log; verify with tollgate audit verify --key. Findings' digests and args_digest are keyed by it too "
                        + "(tollgate audit digest --key) unless digest-key-file is set.", string())
                .add("digest-key-file", "A file of at least 32 secret bytes: findings' digests (result.findings[].digest) and args_digest are keyed by it "
                        + "instead of key-file, so they stay comparable across a rotation of key-file and its verifiers cannot guess values back; "
                        + "compare with tollgate audit digest --key.", string()),
                "directory");
    }

    private static ObjectNode identity(SchemaBuilder b) {
        ObjectNode binding = b.mapping("identity.axid.binding", "Ties the token to the mTLS peer's SPIFFE ID.", ConfigFields.AXID_BINDING,
                new Fields()
                        .add("claim", "The claim that must equal the mTLS caller's trust domain or SPIFFE ID segment, else 401 axid_binding_mismatch.", string())
                        .add("spiffe-segment", "0 = the trust domain, 1 = the first path segment after it, ...", integer(0)));
        ObjectNode axid = b.mapping("identity.axid", "Verification of X-Waxell-AXID tokens (Ed25519 JWTs).", ConfigFields.AXID, new Fields()
                .add("jwks-file", "Ed25519 public keys (JWKS), relative to this file; hot-reloaded.", string())
                .add("jwks-url", "Fetch the keys from this http(s) URL instead of jwks-file.", url())
                .add("jwks-refresh", "How often jwks-url is fetched again. Default 5m.", duration())
                .add("jwks-min-refetch", "Least time between fetches triggered by unknown key ids. Default 30s.", duration())
                .add("jwks-max-stale", "How long the keys stay trusted while every fetch fails; then every token is refused until one succeeds. Default 24h.", duration())
                .add("issuer", "Required iss.", string())
                .add("audience", "Required member of aud.", string())
                .add("type", "Required typ header. Default JWT.", string())
                .add("max-lifetime", "Largest exp - iat (at most 5m, the default).", duration())
                .add("clock-skew", "Tolerance on exp, nbf and iat. Default 30s, at most 60s.", duration())
                .add("required-claims", "Claims that must be present and non-empty. Default tenant, agent, run, sub, parent, tree, jti.", strings())
                .add("forward", "strip (default) or pass the header upstream.", choice(AxidConfig.Forward.class))
                .add("binding", "Bind the token to the mTLS peer.", binding), "issuer", "audience");
        return b.mapping("identity", "Caller identity.", ConfigFields.IDENTITY, new Fields()
                .add("axid", "X-Waxell-AXID tokens; routes then require one unless they say axid: optional or off.", axid));
    }

    private static ObjectNode route(SchemaBuilder b) {
        return b.define("route", b.mapping("routes[]", "A gateway path prefix forwarded to one upstream server.", ConfigFields.ROUTE,
                new Fields()
                        .add("name", "Unique name, used in metrics and error details.", text())
                        .add("path", "Gateway path prefix such as /mcp (no query, fragment or wildcard).", Types.pattern("^(/|\\$\\{)"))
                        .add("protocol", "The protocol the upstream speaks.",
                                choice(Arrays.stream(Protocol.values()).map(Protocol::yamlName).toArray(String[]::new)))
                        .add("upstream", "Absolute http(s) URL of the one upstream instance.", url())
                        .add("upstreams", "Several instances of the server instead of upstream.", listOf(b.mapping("routes[].upstreams[]",
                                "One upstream instance.", ConfigFields.UPSTREAM_ENDPOINT, new Fields()
                                        .add("url", "Absolute http(s) URL of the instance.", url())
                                        .add("weight", "Relative share of calls (1 to 100). Default 1.", integer(1)), "url")))
                        .add("balance", "How calls are spread over upstreams.", choice(UpstreamsConfig.Balance.class))
                        .add("health-check", "Active health checks of the upstreams; /readyz follows them.", healthCheck(b))
                        .add("outlier-ejection", "Instances failing in a row are taken out for a growing time.", b.mapping(
                                "routes[].outlier-ejection", "Passive health checking.", ConfigFields.OUTLIER_EJECTION, new Fields()
                                        .add("consecutive-failures", "Calls failed in a row (no connection, reset, 502/503/504, timeout) that eject an instance. Default 5.", integer(1))
                                        .add("base-time", "First ejection time, doubled for each ejection in a row. Default 10s.", duration())
                                        .add("max-time", "Longest ejection time. Default 5m.", duration())))
                        .add("connect-timeout", "No TCP connection in time: 504 upstream_connect_timeout. Default 5s.", duration())
                        .add("response-timeout", "Time to the response headers (and whole body for JSON answers): 504 upstream_timeout. Open SSE streams are not cut. Default 60s.", duration())
                        .add("max-connections", "Keep-alive pool size to the upstream, per event loop; each open SSE stream holds one. Default 256.", integer(1))
                        .add("max-concurrent-calls", "Calls in flight on the route, every caller together; more get 429 route_concurrency_limit. At most max-connections (the default).", integer(1))
                        .add("max-concurrent-calls-per-caller", "Calls in flight on the route per caller (AXID tenant, agent and sub-user, "
                                + "else SPIFFE ID; OAuth issuer, client and subject too; else client IP); more get 429 caller_concurrency_limit. Default 64.", integer(1))
                        .add("max-concurrent-calls-per-tenant", "Calls in flight on the route per tenant (AXID tenant, else SPIFFE ID, else "
                                + "OAuth subject; else client IP), all its agents and sub-users together; more get 429 tenant_concurrency_limit. "
                                + "Default max-concurrent-calls.", integer(1))
                        .add("policy", "Name of the policy document deciding this route's calls; none denies every call.", text())
                        .add("axid", "required (default with identity.axid), optional, off (default without), or single-use (required, each token accepted once by its jti).", choice(AxidMode.class))
                        .add("allowed-spiffe-ids", "SPIFFE ID globs (* one path segment, ** any) of the workloads allowed on the route. Default: any.", strings())
                        .add("upstream-tls", "mTLS to the upstream with the gateway's SVID (needs an https upstream).", b.mapping(
                                "routes[].upstream-tls", "Upstream mTLS.", ConfigFields.UPSTREAM_TLS, new Fields()
                                        .add("spiffe-id", "The upstream's SPIFFE ID, exact or path glob.", Types.pattern("^(spiffe://|\\$\\{)"))
                                        .add("svid", "The mTLS listener whose SVID to present.", text()), "spiffe-id"))
                        .add("a2a", "A2A agent card rewriting (protocol: a2a only).", b.mapping("routes[].a2a", "A2A route settings.",
                                ConfigFields.A2A_ROUTE, new Fields()
                                        .add("public-url", "What cards advertise; default: from the request.", url())
                                        .add("card-security", "upstream: keep the agent's securitySchemes | gateway: advertise the gateway's.",
                                                choice(A2aRouteConfig.CardSecurity.class))
                                        .add("rest-base", "Where below the route the agent serves HTTP+JSON (/a2a/rest): the segment after it is the tenant. Default: unknown, either reading decided.",
                                                Types.pattern("^/"))))
                        .add("oauth", "MCP authorization: the route is an OAuth protected resource.", oauth(b))
                        .add("list-unknown-tools", "Before deciding a tools/call to a tool no tools list through this gateway process named (after a restart, on another replica), ask the upstream for its tools list, so that its declared enums, defaults and argument names are checked; the list goes to the instance the call will (with forwarding's failover), and an upstream that cannot be reached answers the call upstream_unavailable/upstream_timeout as forwarding does; one that answers no readable list refuses it tool_schema_unavailable. Default true.", bool())
                        .add("pinning", "Tool pinning against rug pulls.", b.mapping("routes[].pinning", "Tool pinning.", ConfigFields.PINNING,
                                new Fields()
                                        .add("manifest", "Reviewed tool definitions (written by tollgate pin --route), relative to this file.", string())
                                        .add("on-change", "hide: unreviewed tools hidden, calls denied | audit: passed and recorded.",
                                                choice(PinningConfig.OnChange.class)), "manifest")),
                "name", "path", "protocol"));
    }

    private static ObjectNode healthCheck(SchemaBuilder b) {
        return b.mapping("routes[].health-check", "Active health checks.", ConfigFields.HEALTH_CHECK, new Fields()
                .add("interval", "Time between probes. Default 5s.", duration())
                .add("timeout", "Probe timeout (not longer than interval). Default 2s.", duration())
                .add("probe", "mcp-ping (default on mcp routes: a JSON-RPC ping, any answer below 500 is healthy), http (default on a2a routes: GET path, 2xx/3xx healthy) or tcp.", choice(UpstreamsConfig.Probe.class))
                .add("path", "Path probed with probe: http. Default on a2a routes: the agent card.", Types.pattern("^(/|\\$\\{)"))
                .add("unhealthy-after", "Failed probes in a row that mark an instance down. Default 2.", integer(1))
                .add("healthy-after", "Passed probes in a row that mark it up again. Default 1.", integer(1)));
    }

    private static ObjectNode oauth(SchemaBuilder b) {
        ObjectNode grant = b.define("oauth-grant", b.mapping("routes[].oauth.upstream-credential.client-credentials",
                "A token the gateway obtains for the upstream.", ConfigFields.OAUTH_GRANT, new Fields()
                        .add("token-url", "The authorization server's token endpoint.", url())
                        .add("client-id", "The gateway's client id.", text())
                        .add("client-secret", "The gateway's client secret.", string())
                        .add("resource", "The upstream's resource URL (RFC 8707).", url())
                        .add("audience", "Requested audience.", string())
                        .add("scope", "Requested scope.", string()), "token-url", "client-id", "client-secret", "resource"));
        ObjectNode credential = b.mapping("routes[].oauth.upstream-credential", "What the gateway sends upstream instead of the caller's token.",
                ConfigFields.OAUTH_UPSTREAM_CREDENTIAL, new Fields()
                        .add("header", "Header to set. Default Authorization.", string())
                        .add("value", "A static credential.", string())
                        .add("client-credentials", "Obtain a token with the client credentials grant.", grant)
                        .add("token-exchange", "Exchange the caller's token (RFC 8693).", grant));
        ObjectNode introspection = b.mapping("routes[].oauth.introspection", "Token introspection (RFC 7662) for opaque tokens.",
                ConfigFields.OAUTH_INTROSPECTION, new Fields()
                        .add("url", "The introspection endpoint.", url())
                        .add("client-id", "The gateway's client id.", text())
                        .add("client-secret", "The gateway's client secret.", string()), "url", "client-id", "client-secret");
        return b.mapping("routes[].oauth", "OAuth protected resource settings.", ConfigFields.OAUTH, new Fields()
                .add("resource", "The route's public URL (the token audience).", url())
                .add("issuer", "The authorization server.", url())
                .add("jwks-url", "The authorization server's signing keys; default: jwks_uri from its metadata.", url())
                .add("jwks-max-stale", "How long the signing keys stay trusted while every fetch fails; then every token is refused until one succeeds. Default 24h.", duration())
                .add("required-scopes", "Scopes every token must carry.", strings())
                .add("scopes-supported", "Scopes advertised in the protected resource metadata.", strings())
                .add("clock-skew", "Tolerance on exp and nbf.", duration())
                .add("upstream-credential", "Credential for the upstream (the caller's token is never forwarded).", credential)
                .add("introspection", "Introspect tokens instead of verifying JWTs locally.", introspection), "resource", "issuer");
    }

    private static ObjectNode budgets(SchemaBuilder b) {
        ObjectNode http = b.mapping("budgets.http", "An HTTP ledger service.", ConfigFields.HTTP_LEDGER, new Fields()
                .add("spent-url", "GET: the amount spent; {tenant} and {tree} are filled in.", url())
                .add("spent-pointer", "JSON pointer to the amount in its answer. Default /spent_usd.", string())
                .add("record-url", "POST: record a charge.", url())
                .add("amount-field", "Field carrying the charged amount. Default amount_usd.", string()), "spent-url", "record-url");
        return b.mapping("budgets", "Budgets (README \"Budgets and rate limits\").", ConfigFields.BUDGETS, new Fields()
                .add("ledger", "memory (one instance) | http (a ledger service) | redis (shared by replicas).",
                        choice(BudgetConfig.LedgerKind.class))
                .add("mode", "cached: TTL-cached read + own charges | strict: atomic hold in the ledger per call.",
                        choice(BudgetConfig.Mode.class))
                .add("cache-ttl", "A read older than this is refreshed in the background.", duration())
                .add("cache-max-age", "A read older than this is never used (at least cache-ttl).", duration())
                .add("on-ledger-error", "deny (fail closed) | allow-stale (with max-staleness).", choice(BudgetConfig.OnLedgerError.class))
                .add("max-staleness", "How old a cached spend may be with on-ledger-error: allow-stale.", duration())
                .add("timeout", "Per ledger operation.", duration())
                .add("hold-expiry", "strict mode: a hold its gateway stopped renewing (renewed every third of this while its call runs; the gateway died) is released by the ledger after this. Default 5m.", duration())
                .add("drain-timeout", "On stop, wait this long for charges to reach the ledger.", duration())
                .add("http", "The HTTP ledger (ledger: http).", http)
                .add("pricing", "What calls cost (pricing.yaml), relative to this file.", string()));
    }

    private static ObjectNode redis(SchemaBuilder b) {
        return b.mapping("redis", "Redis connection.", ConfigFields.REDIS, new Fields()
                .add("uri", "redis:// or rediss:// URI.", Types.pattern("^(rediss?://|\\$\\{)"))
                .add("key-prefix", "Prefix of every key the gateway writes.", string())
                .add("timeout", "Per Redis command.", duration())
                .add("max-pool-size", "Connections in the pool.", integer(1)), "uri");
    }

    private static ObjectNode sessions(SchemaBuilder b) {
        ObjectNode key = b.mapping("sessions.keys[]", "One sealing key.", ConfigFields.SESSION_KEY, new Fields()
                .add("id", "Unique key id.", text())
                .add("secret", "Base64 of 32 random bytes (openssl rand -base64 32).", string()), "id", "secret");
        return b.mapping("sessions", "MCP session sealing.", ConfigFields.SESSIONS, new Fields()
                .add("keys", "Sealing keys, newest first: the first seals, every one opens (rotate by putting the new key first). Default: one generated at start.", listOf(key))
                .add("max-age", "A session id older than this is refused (404 session_not_found). Default 24h.", duration()));
    }

    private static ObjectNode approvals(SchemaBuilder b) {
        ObjectNode webhook = b.mapping("approvals.webhook", "Where held calls are announced.", ConfigFields.APPROVALS_WEBHOOK, new Fields()
                .add("url", "http(s) URL receiving a POST per held call.", url())
                .add("timeout", "Per webhook call. Default 5s.", duration())
                .add("secret", "Key signing the webhook body (HMAC-SHA256).", string()), "url");
        return b.mapping("approvals", "Approvals.", ConfigFields.APPROVALS, new Fields()
                .add("webhook", "Announce held calls to this webhook.", webhook)
                .add("admin-url", "The admin port's URL as approvers reach it, for the webhook's links. Default: the admin listener.", url())
                .add("store", "memory (this replica, default) | redis (all replicas list and decide all approvals; needs redis).", choice(ApprovalsConfig.Store.class))
                .add("history", "Ended approvals kept per replica for GET /approvals. Default 1000.", integer(1)));
    }
}
