package dev.tollgate.gateway.config;

import dev.tollgate.policy.check.CheckBinding;
import dev.tollgate.policy.yaml.LocatedYaml;
import dev.tollgate.policy.yaml.YamlSyntaxException;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Loads {@code gateway.yaml}: substitutes environment variables, parses YAML, validates every field and
 * returns one immutable {@link GatewayConfig}, or a {@link ConfigException} listing every problem with
 * file, line and field.
 */
public final class ConfigLoader {

    static final Set<String> TOP_LEVEL = Set.of("listeners", "admin", "limits", "policies", "telemetry", "audit", "identity", "routes",
            "budgets", "redis", "rate-limits", "sessions", "approvals", "tasks");
    static final Set<String> SESSION_FIELDS = Set.of("keys", "max-age");
    static final Set<String> SESSION_KEY_FIELDS = Set.of("id", "secret");
    private static final int SESSION_KEY_BYTES = 32;
    static final Set<String> BUDGET_FIELDS = Set.of("ledger", "mode", "cache-ttl", "cache-max-age", "on-ledger-error",
            "max-staleness", "timeout", "hold-expiry", "drain-timeout", "http", "pricing");
    static final Set<String> HTTP_LEDGER_FIELDS = Set.of("spent-url", "spent-pointer", "record-url", "amount-field");
    static final Set<String> REDIS_FIELDS = Set.of("uri", "key-prefix", "timeout", "max-pool-size");
    static final Set<String> RATE_LIMIT_FIELDS = Set.of("store", "max-local-buckets", "max-buckets-per-owner", "max-buckets-per-tenant");
    static final Set<String> IDENTITY_FIELDS = Set.of("axid");
    static final Set<String> AXID_FIELDS = Set.of("jwks-file", "issuer", "audience", "type", "max-lifetime", "clock-skew",
            "required-claims", "forward", "binding", "jwks-url", "jwks-refresh", "jwks-min-refetch", "jwks-max-stale");
    static final Set<String> BINDING_FIELDS = Set.of("claim", "spiffe-segment");
    static final Set<String> TELEMETRY_FIELDS = Set.of("service-name", "traces-exporter", "record-arguments", "redact",
            "upstream-spans", "decision-span-after", "sample-allowed", "access-log", "incoming-trace");
    static final Set<String> AUDIT_FIELDS = Set.of("directory", "max-file-bytes", "queue-capacity", "when-full", "arguments", "key-file", "digest-key-file");
    static final Set<String> POLICIES_FIELDS = Set.of("directory", "custom-checks");
    static final Set<String> CUSTOM_CHECK_FIELDS = Set.of("check", "args");
    static final Set<String> LISTENER_FIELDS = Set.of("name", "host", "port", "allowed-hosts", "allowed-origins", "tls");
    static final Set<String> TLS_FIELDS = Set.of("cert-chain", "private-key", "trust-bundle", "trust-domains", "engine",
            "source", "socket", "timeout");
    static final Set<String> UPSTREAM_TLS_FIELDS = Set.of("spiffe-id", "svid");
    static final Set<String> ADMIN_FIELDS = Set.of("host", "port", "allowed-hosts", "allowed-origins", "token");
    /** RFC 6750 b64token: what fits in {@code Authorization: Bearer} unescaped ({@code openssl rand -base64 32} does). */
    private static final java.util.regex.Pattern ADMIN_TOKEN = java.util.regex.Pattern.compile("[A-Za-z0-9._~+/-]+=*");
    /** Shorter tokens can be guessed by trying; 16 base64 characters are 96 bits. */
    private static final int MIN_ADMIN_TOKEN_CHARS = 16;
    static final Set<String> LIMIT_FIELDS = Set.of("max-body-bytes", "max-json-depth", "max-buffered-response-bytes",
            "max-batch-messages", "max-inspected-response-bytes", "header-timeout", "body-timeout", "idle-timeout",
            "max-scanned-result-bytes", "unscannable-results");
    static final Set<String> ROUTE_FIELDS = union(Set.of("name", "path", "protocol", "connect-timeout",
            "response-timeout", "max-connections", "max-concurrent-calls", "max-concurrent-calls-per-caller", "max-concurrent-calls-per-tenant", "policy", "axid", "allowed-spiffe-ids",
            "upstream-tls", "a2a", "oauth", "pinning", "list-unknown-tools"), UpstreamsReader.ROUTE_FIELDS);
    static final Set<String> A2A_ROUTE_FIELDS = Set.of("public-url", "card-security", "rest-base");
    private static final int DEFAULT_ADMIN_PORT = 9090;
    /** Deeper nesting than this is refused outright: it only ever serves to exhaust a parser. */
    private static final int MAX_JSON_DEPTH_CEILING = 1000;

    private ConfigLoader() {
    }

    public static GatewayConfig load(Path file) throws ConfigException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(List.of(new ConfigProblem(file.toString(), 0, "", "cannot read: " + e.getMessage())));
        }
        Path base = file.toAbsolutePath().getParent();
        return parse(text, file.toString(), System.getenv(), base);
    }

    /** Parses YAML text; a relative policy directory resolves against the working directory. */
    public static GatewayConfig parse(String yaml, String source) throws ConfigException {
        return parse(yaml, source, System.getenv(), Path.of("."));
    }

    public static GatewayConfig parse(String yaml, String source, Map<String, String> env) throws ConfigException {
        return parse(yaml, source, env, Path.of("."));
    }

    /** @param baseDir the folder relative paths in the file (the policy directory) resolve against */
    public static GatewayConfig parse(String yaml, String source, Map<String, String> env, Path baseDir) throws ConfigException {
        List<ConfigProblem> problems = new ArrayList<>();
        String substituted = EnvSubstitution.apply(yaml, env, source, problems);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        LocatedYaml doc;
        try {
            doc = LocatedYaml.parse(substituted);
        } catch (YamlSyntaxException e) {
            throw new ConfigException(List.of(new ConfigProblem(source, e.line(), "", e.getMessage())));
        }
        NodeReader root = new NodeReader(source, doc, "", doc.root(), problems);
        if (!root.isObject()) {
            root.problem("the configuration must be a YAML mapping with listeners, admin and routes");
            throw new ConfigException(problems);
        }
        root.rejectUnknown(TOP_LEVEL);
        List<ListenerConfig> listeners = listeners(root, baseDir);
        AdminConfig admin = admin(root);
        LimitsConfig limits = limits(root.child("limits"));
        Path policyDirectory = policyDirectory(root, baseDir);
        TelemetryConfig telemetry = telemetry(root);
        AuditConfig audit = audit(root, baseDir);
        AxidConfig axid = axid(root, baseDir);
        List<RouteConfig> routes = routes(root, axid != null, listeners, baseDir);
        RedisConfig redis = redis(root);
        BudgetConfig budget = budget(root, baseDir, redis, problems);
        RateLimitConfig rateLimits = rateLimits(root, redis);
        SessionConfig sessions = sessions(root);
        Map<String, CheckBinding> customChecks = customChecks(root);
        ApprovalsConfig approvals = ApprovalsReader.read(root, redis);
        TasksConfig tasks = TasksReader.read(root, redis);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new GatewayConfig(source, listeners, admin, limits, routes, policyDirectory, telemetry, audit, axid, budget,
                redis, rateLimits, sessions, customChecks, approvals, tasks);
    }

    /**
     * {@code policies.custom-checks: {waxell_budget_check: {check: budget, args: {limit_usd: 10}}}}: names policy
     * documents may use for a registered check with these arguments (whether the check exists and takes these
     * arguments is settled when the policies compile, with the file and line of the rule using it).
     */
    private static Map<String, CheckBinding> customChecks(NodeReader root) {
        NodeReader policies = root.child("policies");
        if (!policies.isObject() || !policies.has("custom-checks")) {
            return Map.of();
        }
        NodeReader bound = policies.child("custom-checks");
        if (!bound.isObject()) {
            bound.problem("must map a name to {check: <registered check>, args: {...}}");
            return Map.of();
        }
        Map<String, CheckBinding> out = new java.util.TreeMap<>();
        for (String name : bound.fieldNames()) {
            NodeReader binding = bound.child(name);
            if (!binding.isObject()) {
                binding.problem("must be {check: <registered check>, args: {...}}");
                continue;
            }
            binding.rejectUnknown(CUSTOM_CHECK_FIELDS);
            String check = binding.string("check", null);
            if (check == null) {
                binding.problemAt("check", "names the registered check (argument_size, budget, rate_limit)");
                continue;
            }
            out.put(name, new CheckBinding(check, binding.child("args").isPresent() ? binding.child("args").json() : null));
        }
        return out;
    }

    /** {@code sessions: {keys: [{id, secret}], max-age}}: secrets are base64 of 32 bytes (AES-256), newest key first. */
    private static SessionConfig sessions(NodeReader root) {
        if (!root.has("sessions")) {
            return SessionConfig.DEFAULT;
        }
        NodeReader s = root.child("sessions");
        s.rejectUnknown(SESSION_FIELDS);
        List<SessionConfig.Key> keys = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (NodeReader k : s.elements("keys", false)) {
            k.rejectUnknown(SESSION_KEY_FIELDS);
            String id = k.string("id", null);
            String secret = k.string("secret", null);
            if (id == null || secret == null) {
                k.problem("a session key needs an id and a secret (base64 of 32 random bytes)");
                continue;
            }
            if (!ids.add(id)) {
                k.problemAt("id", "duplicate session key id '" + id + "'");
            }
            byte[] bytes;
            try {
                bytes = java.util.Base64.getDecoder().decode(secret.strip());
            } catch (IllegalArgumentException e) {
                k.problemAt("secret", "must be base64 (for example: openssl rand -base64 32)");
                continue;
            }
            if (bytes.length != SESSION_KEY_BYTES) {
                k.problemAt("secret", "must decode to " + SESSION_KEY_BYTES + " bytes, got " + bytes.length);
                continue;
            }
            keys.add(new SessionConfig.Key(id, bytes));
        }
        return new SessionConfig(keys, s.duration("max-age", SessionConfig.DEFAULT_MAX_AGE));
    }

    private static List<ListenerConfig> listeners(NodeReader root, Path baseDir) {
        List<NodeReader> elements = root.elements("listeners", true);
        if (elements.isEmpty() && root.has("listeners")) {
            root.problemAt("listeners", "needs at least one listener");
        }
        List<ListenerConfig> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (NodeReader l : elements) {
            if (!l.isObject()) {
                l.problem("must be a mapping with name, host and port");
                continue;
            }
            l.rejectUnknown(LISTENER_FIELDS);
            String name = l.string("name", "listener-" + out.size());
            if (!names.add(name)) {
                l.problemAt("name", "duplicate listener name '" + name + "'");
            }
            out.add(new ListenerConfig(name, l.string("host", "127.0.0.1"), l.port("port", null),
                    l.strings("allowed-hosts", ListenerConfig.DEFAULT_ALLOWED_HOSTS),
                    l.strings("allowed-origins", ListenerConfig.DEFAULT_ALLOWED_ORIGINS), tls(l, baseDir)));
        }
        return out;
    }

    private static AdminConfig admin(NodeReader root) {
        if (!root.has("admin")) {
            return new AdminConfig("127.0.0.1", DEFAULT_ADMIN_PORT);
        }
        NodeReader a = root.child("admin");
        if (!a.isObject()) {
            a.problem("must be a mapping with host and port");
            return new AdminConfig("127.0.0.1", DEFAULT_ADMIN_PORT);
        }
        a.rejectUnknown(ADMIN_FIELDS);
        // Same DNS-rebinding defaults as the traffic listeners: a browser page must not reach explain or reload.
        return new AdminConfig(a.string("host", "127.0.0.1"), a.port("port", DEFAULT_ADMIN_PORT),
                a.strings("allowed-hosts", ListenerConfig.DEFAULT_ALLOWED_HOSTS),
                a.strings("allowed-origins", ListenerConfig.DEFAULT_ALLOWED_ORIGINS), adminToken(a));
    }

    /** Absent or blank (also {@code token: ${TOLLGATE_ADMIN_TOKEN:-}} with the variable unset): null, no token. */
    private static String adminToken(NodeReader a) {
        String token = a.optionalString("token");
        if (token == null) {
            return null;
        }
        if (!ADMIN_TOKEN.matcher(token).matches()) {
            a.problemAt("token", "must be a bearer token: letters, digits and - . _ ~ + / (= at the end), e.g. openssl rand -base64 32");
            return null;
        }
        if (token.length() < MIN_ADMIN_TOKEN_CHARS) {
            a.problemAt("token", "must be at least " + MIN_ADMIN_TOKEN_CHARS + " characters, e.g. openssl rand -base64 32");
            return null;
        }
        return token;
    }

    private static LimitsConfig limits(NodeReader l) {
        if (l.isPresent() && !l.isObject()) {
            l.problem("must be a mapping of limits");
        }
        l.rejectUnknown(LIMIT_FIELDS);
        int depth = l.positiveInt("max-json-depth", LimitsConfig.DEFAULT_MAX_JSON_DEPTH);
        if (depth > MAX_JSON_DEPTH_CEILING) {
            l.problemAt("max-json-depth", "must be at most " + MAX_JSON_DEPTH_CEILING);
        }
        return new LimitsConfig(
                l.byteSize("max-body-bytes", LimitsConfig.DEFAULT_MAX_BODY_BYTES),
                depth,
                l.byteSize("max-buffered-response-bytes", LimitsConfig.DEFAULT_MAX_BUFFERED_RESPONSE_BYTES),
                l.positiveInt("max-batch-messages", LimitsConfig.DEFAULT_MAX_BATCH_MESSAGES),
                l.byteSize("max-inspected-response-bytes", LimitsConfig.DEFAULT_MAX_INSPECTED_RESPONSE_BYTES),
                l.duration("header-timeout", LimitsConfig.DEFAULT_HEADER_TIMEOUT),
                l.duration("body-timeout", LimitsConfig.DEFAULT_BODY_TIMEOUT),
                l.duration("idle-timeout", LimitsConfig.DEFAULT_IDLE_TIMEOUT),
                l.byteSize("max-scanned-result-bytes", LimitsConfig.DEFAULT_MAX_SCANNED_RESULT_BYTES),
                unscannable(l));
    }

    /** {@code unscannable-results: deny} (default) or {@code allow}. */
    private static boolean unscannable(NodeReader l) {
        String value = l.string("unscannable-results", "deny");
        if (!value.equals("deny") && !value.equals("allow")) {
            l.problemAt("unscannable-results", "must be deny (a result too large for result rules to read is withheld) or allow (relayed unread)");
        }
        return !value.equals("allow");
    }

    private static List<RouteConfig> routes(NodeReader root, boolean axidConfigured, List<ListenerConfig> listeners, Path baseDir) {
        List<RouteConfig> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Set<String> paths = new HashSet<>();
        for (NodeReader r : root.elements("routes", true)) {
            if (!r.isObject()) {
                r.problem("must be a mapping with name, path, protocol and upstream");
                continue;
            }
            r.rejectUnknown(ROUTE_FIELDS);
            String name = r.string("name", null);
            if (name != null && !names.add(name)) {
                r.problemAt("name", "duplicate route name '" + name + "'");
            }
            String path = routePath(r);
            if (path != null && !paths.add(path)) {
                r.problemAt("path", "another route already uses path " + path);
            }
            Protocol protocol = protocol(r);
            UpstreamsConfig upstreams = UpstreamsReader.read(r, protocol);
            URI upstream = upstreams == null ? null : upstreams.endpoints().get(0).url();
            int maxConnections = r.positiveInt("max-connections", RouteConfig.DEFAULT_MAX_CONNECTIONS);
            ConcurrencyLimits defaults = ConcurrencyLimits.defaultsFor(maxConnections);
            int maxCalls = r.positiveInt("max-concurrent-calls", defaults.maxCalls());
            if (maxCalls > maxConnections) {
                // More calls than pooled connections would queue for a connection: exactly the starvation the limit prevents.
                r.problemAt("max-concurrent-calls", "must be at most max-connections (" + maxConnections + ")");
            }
            out.add(new RouteConfig(name, path, protocol, upstream,
                    r.duration("connect-timeout", RouteConfig.DEFAULT_CONNECT_TIMEOUT),
                    r.duration("response-timeout", RouteConfig.DEFAULT_RESPONSE_TIMEOUT),
                    maxConnections,
                    r.has("policy") ? r.string("policy", null) : null,
                    axidMode(r, axidConfigured),
                    r.strings("allowed-spiffe-ids", List.of()),
                    UpstreamTlsReader.read(r, upstream, listeners), a2aRoute(r, protocol),
                    new ConcurrencyLimits(maxCalls, r.positiveInt("max-concurrent-calls-per-caller", Math.min(defaults.maxPerCaller(), maxCalls)),
                            r.positiveInt("max-concurrent-calls-per-tenant", maxCalls)),
                    upstreams, OAuthReader.read(r), PinningReader.read(r, baseDir), r.bool("list-unknown-tools", true)));
        }
        return out;
    }

    private static A2aRouteConfig a2aRoute(NodeReader r, Protocol protocol) {
        if (!r.has("a2a")) {
            return null;
        }
        if (protocol != Protocol.A2A) {
            r.problemAt("a2a", "only applies to routes with protocol: a2a");
            return null;
        }
        NodeReader a = r.child("a2a");
        if (!a.isObject()) {
            a.problem("must be a mapping with public-url, card-security and/or rest-base");
            return null;
        }
        a.rejectUnknown(A2A_ROUTE_FIELDS);
        URI publicUrl = null;
        String value = a.has("public-url") ? a.string("public-url", null) : null;
        if (value != null) {
            try {
                publicUrl = new URI(value);
                String scheme = publicUrl.getScheme() == null ? "" : publicUrl.getScheme().toLowerCase(Locale.ROOT);
                if (!(scheme.equals("http") || scheme.equals("https")) || publicUrl.getHost() == null || publicUrl.getRawQuery() != null) {
                    a.problemAt("public-url", "must be an absolute http or https URL without query, such as https://gw.example.com/agents/echo");
                    publicUrl = null;
                }
            } catch (URISyntaxException e) {
                a.problemAt("public-url", "is not a valid URL: " + e.getReason());
            }
        }
        String restBase = a.has("rest-base") ? a.string("rest-base", null) : null;
        if (restBase != null && !restBase.startsWith("/")) {
            a.problemAt("rest-base", "must be a path below the route starting with '/', such as /a2a/rest");
            restBase = null;
        }
        return new A2aRouteConfig(publicUrl, a.choice("card-security", A2aRouteConfig.CardSecurity.class, A2aRouteConfig.CardSecurity.UPSTREAM),
                restBase);
    }

    private static Path policyDirectory(NodeReader root, Path baseDir) {
        if (!root.has("policies")) {
            return null;
        }
        NodeReader p = root.child("policies");
        if (!p.isObject()) {
            p.problem("must be a mapping with a directory");
            return null;
        }
        p.rejectUnknown(POLICIES_FIELDS);
        String dir = p.string("directory", null);
        return dir == null ? null : baseDir.resolve(dir).normalize();
    }

    private static TlsConfig tls(NodeReader listener, Path baseDir) {
        if (!listener.has("tls")) {
            return null;
        }
        NodeReader t = listener.child("tls");
        t.rejectUnknown(TLS_FIELDS);
        List<String> domains = t.strings("trust-domains", List.of());
        if (domains.isEmpty()) {
            t.problemAt("trust-domains", "needs at least one trust domain, e.g. [example.org]");
        }
        String engine = t.string("engine", "openssl");
        if (!engine.equals("openssl") && !engine.equals("jdk")) {
            t.problemAt("engine", "must be openssl or jdk");
        }
        TlsConfig fromAgent = WorkloadApiTlsReader.read(t, domains, engine);
        if (fromAgent != null) {
            return fromAgent;
        }
        String chain = t.string("cert-chain", null);
        String key = t.string("private-key", null);
        String bundle = t.string("trust-bundle", null);
        return new TlsConfig(chain == null ? null : baseDir.resolve(chain), key == null ? null : baseDir.resolve(key),
                bundle == null ? null : baseDir.resolve(bundle), domains, engine);
    }

    /** Routes require a verified AXID by default once tokens can be verified at all (fail closed). */
    private static AxidMode axidMode(NodeReader r, boolean axidConfigured) {
        AxidMode mode = r.choice("axid", AxidMode.class, axidConfigured ? AxidMode.REQUIRED : AxidMode.OFF);
        if (mode != AxidMode.OFF && !axidConfigured) {
            r.problemAt("axid", "needs identity.axid (the keys and issuer to verify tokens with)");
        }
        return mode;
    }

    private static AxidConfig axid(NodeReader root, Path baseDir) {
        if (!root.has("identity")) {
            return null;
        }
        NodeReader identity = root.child("identity");
        identity.rejectUnknown(IDENTITY_FIELDS);
        if (!identity.has("axid")) {
            return null;
        }
        NodeReader a = identity.child("axid");
        a.rejectUnknown(AXID_FIELDS);
        String jwks = a.has("jwks-url") ? null : a.string("jwks-file", null);
        AxidConfig.RemoteKeys remote = null;
        if (a.has("jwks-url")) {
            if (a.has("jwks-file")) {
                a.problemAt("jwks-url", "give either jwks-file or jwks-url, not both");
            }
            String url = a.string("jwks-url", null);
            try {
                java.net.URI uri = new java.net.URI(url);
                if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) {
                    throw new java.net.URISyntaxException(url, "not http(s)");
                }
                java.time.Duration refresh = a.duration("jwks-refresh", java.time.Duration.ofMinutes(5));
                remote = new AxidConfig.RemoteKeys(uri, refresh, a.duration("jwks-min-refetch", java.time.Duration.ofSeconds(30)),
                        JwksStaleness.read(a, refresh));
            } catch (java.net.URISyntaxException | NullPointerException e) {
                a.problemAt("jwks-url", "must be an http(s) URL");
            }
        }
        java.time.Duration maxLifetime = a.duration("max-lifetime", AxidConfig.MAX_LIFETIME_CEILING);
        if (maxLifetime.compareTo(AxidConfig.MAX_LIFETIME_CEILING) > 0) {
            a.problemAt("max-lifetime", "must be at most 5m: an AXID is a short-lived token");
        }
        java.time.Duration clockSkew = a.duration("clock-skew", AxidConfig.DEFAULT_CLOCK_SKEW);
        if (clockSkew.compareTo(AxidConfig.MAX_CLOCK_SKEW) > 0) {
            a.problemAt("clock-skew", "must be at most " + AxidConfig.MAX_CLOCK_SKEW.toSeconds()
                    + "s: a token is accepted for this long after it expires; clocks further apart need fixing, not tolerating");
        }
        return new AxidConfig(jwks == null ? null : baseDir.resolve(jwks).normalize(), a.string("issuer", null), a.string("audience", null),
                a.string("type", "JWT"), maxLifetime, clockSkew,
                a.strings("required-claims", AxidConfig.DEFAULT_REQUIRED_CLAIMS),
                a.choice("forward", AxidConfig.Forward.class, AxidConfig.Forward.STRIP), binding(a), remote);
    }

    private static AxidConfig.Binding binding(NodeReader axid) {
        if (!axid.has("binding")) {
            return null;
        }
        NodeReader b = axid.child("binding");
        b.rejectUnknown(BINDING_FIELDS);
        int segment = b.has("spiffe-segment") ? b.positiveIntOrZero("spiffe-segment") : 0;
        return new AxidConfig.Binding(b.string("claim", null), segment);
    }

    private static TelemetryConfig telemetry(NodeReader root) {
        if (!root.has("telemetry")) {
            return TelemetryConfig.DEFAULT;
        }
        NodeReader t = root.child("telemetry");
        t.rejectUnknown(TELEMETRY_FIELDS);
        String exporter = t.string("traces-exporter", TelemetryConfig.DEFAULT.tracesExporter());
        if (!Set.of("none", "otlp", "logging", "logging-otlp", "console").contains(exporter)) {
            t.problemAt("traces-exporter", "must be none, otlp or logging, got '" + exporter + "'");
        }
        List<String> redact = t.strings("redact", List.of());
        for (int i = 0; i < redact.size(); i++) {
            if (!redact.get(i).startsWith("/")) {
                t.problemAt("redact/" + i, "must be a JSON pointer such as /password");
            }
        }
        return new TelemetryConfig(t.string("service-name", TelemetryConfig.DEFAULT.serviceName()), exporter,
                t.bool("record-arguments", false), redact, t.bool("upstream-spans", false),
                t.duration("decision-span-after", TelemetryConfig.DEFAULT_DECISION_SPAN_AFTER), share(t, "sample-allowed"),
                t.bool("access-log", true), linksIncomingTrace(t));
    }

    /** {@code incoming-trace}: {@code continue} (the default) or {@code link}. */
    private static boolean linksIncomingTrace(NodeReader t) {
        String mode = t.string("incoming-trace", "continue");
        if (!"continue".equals(mode) && !"link".equals(mode)) {
            t.problemAt("incoming-trace", "must be continue or link, got '" + mode + "'");
        }
        return "link".equals(mode);
    }

    /** A share between 0 and 1 (default 1). */
    private static double share(NodeReader t, String field) {
        if (!t.has(field)) {
            return 1.0;
        }
        String text = t.string(field, "1");
        try {
            double value = Double.parseDouble(text);
            if (value >= 0 && value <= 1) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        t.problemAt(field, "must be a share between 0 and 1 such as 0.1, got '" + text + "'");
        return 1.0;
    }

    private static AuditConfig audit(NodeReader root, Path baseDir) {
        if (!root.has("audit")) {
            return AuditConfig.DISABLED;
        }
        NodeReader a = root.child("audit");
        a.rejectUnknown(AUDIT_FIELDS);
        String directory = a.string("directory", null);
        AuditConfig.WhenFull whenFull = a.choice("when-full", AuditConfig.WhenFull.class, AuditConfig.WhenFull.REJECT);
        AuditConfig.ArgumentsMode arguments = a.choice("arguments", AuditConfig.ArgumentsMode.class, AuditConfig.ArgumentsMode.DIGEST);
        String keyFile = a.optionalString("key-file");
        Path key = keyFile == null ? null : baseDir.resolve(keyFile).normalize();
        Path auditDir = directory == null ? null : baseDir.resolve(directory).normalize();
        if (key != null && auditDir != null && key.toAbsolutePath().startsWith(auditDir.toAbsolutePath())) {
            // Whoever can rewrite the log could read the key beside it and seal the rewrite (review AF).
            a.problemAt("key-file", "must not be inside audit.directory (" + auditDir + "): whoever can rewrite the audit files "
                    + "could read the key there and seal the rewrite; keep it where only the gateway reads it");
        } else if (key != null) {
            try {
                AuditKeyFile.read(key);
            } catch (IOException e) {
                // Refused at load, not at the first record: a log that cannot be sealed as configured must not start.
                a.problemAt("key-file", "cannot be used: " + (e instanceof java.nio.file.NoSuchFileException ? key + " does not exist" : e.getMessage()));
            }
        }
        String digestKeyFile = a.optionalString("digest-key-file");
        Path digestKey = digestKeyFile == null ? null : baseDir.resolve(digestKeyFile).normalize();
        if (digestKey != null && auditDir != null && digestKey.toAbsolutePath().startsWith(auditDir.toAbsolutePath())) {
            // Whoever reads the records could read the key beside them and try every card number against their digests.
            a.problemAt("digest-key-file", "must not be inside audit.directory (" + auditDir + "): whoever reads the audit files "
                    + "could read the key there and guess low-entropy values back from their digests");
        } else if (digestKey != null) {
            try {
                AuditKeyFile.read(digestKey);
            } catch (IOException e) {
                a.problemAt("digest-key-file", "cannot be used: " + (e instanceof java.nio.file.NoSuchFileException ? digestKey + " does not exist" : e.getMessage()));
            }
        }
        return new AuditConfig(auditDir, a.byteSize("max-file-bytes", AuditConfig.DEFAULT_MAX_FILE_BYTES),
                a.positiveInt("queue-capacity", AuditConfig.DEFAULT_QUEUE_CAPACITY), whenFull, arguments, key, digestKey);
    }

    private static RedisConfig redis(NodeReader root) {
        if (!root.has("redis")) {
            return null;
        }
        NodeReader r = root.child("redis");
        r.rejectUnknown(REDIS_FIELDS);
        String uri = r.string("uri", null);
        if (uri != null && !uri.startsWith("redis://") && !uri.startsWith("rediss://")) {
            r.problemAt("uri", "must be a redis:// or rediss:// URI, got '" + uri + "'");
        }
        return new RedisConfig(uri, r.string("key-prefix", RedisConfig.DEFAULT_PREFIX),
                r.duration("timeout", BudgetConfig.DEFAULT_TIMEOUT), r.positiveInt("max-pool-size", 16));
    }

    private static BudgetConfig budget(NodeReader root, Path baseDir, RedisConfig redis, List<ConfigProblem> problems) {
        if (!root.has("budgets")) {
            return BudgetConfig.DEFAULT;
        }
        NodeReader b = root.child("budgets");
        b.rejectUnknown(BUDGET_FIELDS);
        BudgetConfig.LedgerKind ledger = b.choice("ledger", BudgetConfig.LedgerKind.class, BudgetConfig.LedgerKind.MEMORY);
        BudgetConfig.Mode mode = b.choice("mode", BudgetConfig.Mode.class, BudgetConfig.Mode.CACHED);
        java.time.Duration ttl = b.duration("cache-ttl", BudgetConfig.DEFAULT_TTL);
        java.time.Duration maxAge = b.duration("cache-max-age", ttl.multipliedBy(2));
        if (maxAge.compareTo(ttl) < 0) {
            b.problemAt("cache-max-age", "must be at least cache-ttl (" + ttl + ")");
        }
        BudgetConfig.OnLedgerError onError = b.choice("on-ledger-error", BudgetConfig.OnLedgerError.class,
                BudgetConfig.OnLedgerError.DENY);
        java.time.Duration staleness = b.duration("max-staleness", java.time.Duration.ZERO);
        if (onError == BudgetConfig.OnLedgerError.ALLOW_STALE && staleness.isZero()) {
            b.problemAt("max-staleness", "is required with on-ledger-error: allow-stale (how old a cached spend may be)");
        }
        if (ledger == BudgetConfig.LedgerKind.REDIS && redis == null) {
            b.problemAt("ledger", "redis needs a top-level redis: section with its uri");
        }
        if (mode == BudgetConfig.Mode.STRICT && ledger == BudgetConfig.LedgerKind.HTTP) {
            b.problemAt("mode", "strict needs a ledger that can hold amounts atomically: redis or memory, not http");
        }
        BudgetConfig.HttpLedger http = null;
        if (ledger == BudgetConfig.LedgerKind.HTTP) {
            NodeReader h = b.child("http");
            if (!h.isObject()) {
                b.problemAt("http", "is required with ledger: http (spent-url, spent-pointer, record-url, amount-field)");
            } else {
                h.rejectUnknown(HTTP_LEDGER_FIELDS);
                http = new BudgetConfig.HttpLedger(httpUrl(h, "spent-url"), h.string("spent-pointer", "/spent_usd"),
                        httpUrl(h, "record-url"), h.string("amount-field", "amount_usd"));
            }
        }
        PricingTable pricing = PricingTable.NONE;
        String pricingFile = b.has("pricing") ? b.string("pricing", null) : null;
        if (pricingFile != null) {
            pricing = PricingLoader.load(baseDir.resolve(pricingFile).normalize(), problems);
        }
        java.time.Duration holdExpiry = b.duration("hold-expiry", BudgetConfig.DEFAULT_HOLD_EXPIRY);
        if (mode == BudgetConfig.Mode.STRICT && ledger == BudgetConfig.LedgerKind.REDIS && redis != null) {
            // Holds of running calls are renewed every third of hold-expiry: a renewal must fit in a third, with time to spare.
            java.time.Duration least = BudgetConfig.MIN_HOLD_EXPIRY.compareTo(redis.timeout().multipliedBy(3)) > 0
                    ? BudgetConfig.MIN_HOLD_EXPIRY : redis.timeout().multipliedBy(3);
            if (holdExpiry.compareTo(least) < 0) {
                b.problemAt("hold-expiry", "must be at least " + least.toMillis() + "ms (1s, and 3 x redis.timeout: holds of running "
                        + "calls are renewed every third of it)");
            }
        }
        return new BudgetConfig(true, ledger, mode, ttl, maxAge, onError, staleness,
                b.duration("timeout", BudgetConfig.DEFAULT_TIMEOUT), holdExpiry,
                b.duration("drain-timeout", BudgetConfig.DEFAULT_DRAIN_TIMEOUT), http, pricing);
    }

    private static String httpUrl(NodeReader h, String field) {
        String url = h.string(field, null);
        if (url != null && !url.startsWith("http://") && !url.startsWith("https://")) {
            h.problemAt(field, "must be an http(s) URL, got '" + url + "'");
        }
        return url;
    }

    private static RateLimitConfig rateLimits(NodeReader root, RedisConfig redis) {
        if (!root.has("rate-limits")) {
            return RateLimitConfig.DEFAULT;
        }
        NodeReader r = root.child("rate-limits");
        r.rejectUnknown(RATE_LIMIT_FIELDS);
        RateLimitConfig.Store store = r.choice("store", RateLimitConfig.Store.class, RateLimitConfig.Store.LOCAL);
        if (store == RateLimitConfig.Store.REDIS && redis == null) {
            r.problemAt("store", "redis needs a top-level redis: section with its uri");
        }
        int maxLocalBuckets = r.positiveInt("max-local-buckets", RateLimitConfig.DEFAULT_MAX_LOCAL_BUCKETS);
        return new RateLimitConfig(store, maxLocalBuckets,
                r.positiveInt("max-buckets-per-owner", RateLimitConfig.DEFAULT_MAX_BUCKETS_PER_OWNER),
                r.positiveInt("max-buckets-per-tenant", maxLocalBuckets));
    }

    private static String routePath(NodeReader r) {
        String path = r.string("path", null);
        if (path == null) {
            return null;
        }
        if (!path.startsWith("/") || path.contains("?") || path.contains("#") || path.contains("*")) {
            r.problemAt("path", "must be an absolute path prefix such as /mcp (no query, fragment or wildcard)");
            return null;
        }
        // "/mcp/" and "/mcp" name the same prefix.
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    private static Protocol protocol(NodeReader r) {
        String value = r.string("protocol", null);
        if (value == null) {
            return null;
        }
        for (Protocol p : Protocol.values()) {
            if (p.yamlName().equals(value.toLowerCase(Locale.ROOT))) {
                return p;
            }
        }
        r.problemAt("protocol", "unsupported protocol '" + value + "' (supported: mcp, a2a)");
        return null;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new HashSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }
}
