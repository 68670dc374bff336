package dev.tollgate.protocols.a2a;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * Rewrites an agent card (public or extended, 1.0 or 0.3 or the JS SDK's mix of both) so that a client
 * following it stays behind the gateway:
 * <ul>
 *   <li>every interface URL under the upstream's base is moved under the gateway's public URL (1.0
 *       {@code supportedInterfaces[].url}; 0.3 {@code url} and {@code additionalInterfaces[].url}; each list also
 *       under its proto field name, {@code supported_interfaces} / {@code additional_interfaces}, which proto JSON
 *       readers accept);</li>
 *   <li>interfaces the gateway cannot carry are dropped: gRPC (in either spelling of the binding), a binding or URL
 *       that is not a string, and URLs elsewhere than the upstream, which a client would call around the gateway; a
 *       0.3 {@code url} that cannot be carried is replaced by one that can;</li>
 *   <li>{@code signatures} are removed: they sign the upstream's URLs, so they no longer verify;</li>
 *   <li>skills the caller may not use are removed;</li>
 *   <li>with {@link GatewayAuth}, the security schemes and requirements are the gateway's, and the skills'
 *       own requirements (naming the upstream's schemes) are removed.</li>
 * </ul>
 * The card is modified in place; {@link #rewrite} says whether it still names an interface (a card that names none
 * at the gateway is not relayed).
 */
public final class A2aCardRewriter {

    /**
     * The authentication the gateway itself does on the route.
     *
     * @param schemeName name of the scheme in the card
     * @param headerName the header carrying the credential (an API-key style scheme), or null when none
     * @param required   whether calls need it (a requirement is listed), or it is only accepted
     */
    public record GatewayAuth(String schemeName, String headerName, boolean required) {
    }

    private final URI upstream;
    private final String publicBase;

    /**
     * @param upstreamBase the route's upstream URL (where the agent lives)
     * @param publicBase   the URL clients reach the route at on the gateway, without trailing slash
     */
    public A2aCardRewriter(URI upstreamBase, String publicBase) {
        this.upstream = upstreamBase;
        this.publicBase = publicBase.endsWith("/") ? publicBase.substring(0, publicBase.length() - 1) : publicBase;
    }

    /**
     * @param skillVisible decides per skill id whether this caller sees it
     * @param auth         the gateway's own authentication to advertise instead of the upstream's; null keeps the card's
     * @return whether the card still names an interface a client would call (each one now under the gateway): a card left
     *         with none is not to be relayed
     */
    public boolean rewrite(ObjectNode card, Predicate<String> skillVisible, GatewayAuth auth, boolean replaceSecurity) {
        // Every spelling a proto JSON reader accepts (ts-proto's fromJSON and protobuf's JsonFormat take the field's own
        // snake_case name when the camelCase one is absent or, for a list, not an array), each rewritten on its own
        // (review AX: `supported_interfaces` was relayed with the agent's URL, and the @a2a-js/sdk client called it).
        rewriteInterfaces(card, "supportedInterfaces", "protocolBinding", "protocol_binding");
        rewriteInterfaces(card, "supported_interfaces", "protocolBinding", "protocol_binding");
        rewriteInterfaces(card, "additionalInterfaces", "transport");
        rewriteInterfaces(card, "additional_interfaces", "transport");
        rewriteLegacyUrl(card);
        card.remove("signatures");
        JsonNode skills = card.get("skills");
        if (skills != null && skills.isArray()) {
            for (Iterator<JsonNode> it = skills.elements(); it.hasNext(); ) {
                JsonNode skill = it.next();
                // Only a skill named by a non-empty string is listed (review AB: `"id": 7` or `["summarize"]` was read as
                // "7" or "", escaped pinning, and an SDK reading the proto shape (String(id)) saw a twin of a reviewed skill).
                JsonNode idNode = skill.get("id");
                String id = idNode != null && idNode.isTextual() && !idNode.textValue().isEmpty() ? idNode.textValue() : null;
                if (id == null || !skillVisible.test(id)) {
                    it.remove();
                } else if (replaceSecurity && skill.isObject()) {
                    ((ObjectNode) skill).remove(List.of("securityRequirements", "security_requirements", "security"));
                }
            }
        }
        if (replaceSecurity) {
            replaceSecurity(card, auth);
        }
        return listsAny(card, INTERFACE_LISTS) || card.path("url").isTextual();
    }

    /** The members naming a card's interface lists, in every spelling. */
    private static final List<String> INTERFACE_LISTS = List.of("supportedInterfaces", "supported_interfaces",
            "additionalInterfaces", "additional_interfaces");

    private static boolean listsAny(ObjectNode card, List<String> members) {
        for (String member : members) {
            JsonNode list = card.get(member);
            if (list != null && list.isArray() && list.size() > 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * Keeps the interfaces of one list the gateway carries, each moved under it. A list that is no array is removed (a
     * reader then takes the other spelling, or a lenient one iterates it anyway); so is an entry that is no object,
     * whose {@code url} is not a string (a reader's {@code String(url)} makes {@code ["http://agent/a"]} the agent's
     * URL), or whose binding is gRPC or not a string, in any spelling.
     */
    private void rewriteInterfaces(ObjectNode card, String member, String... bindingFields) {
        JsonNode interfaces = card.get(member);
        if (interfaces == null) {
            return;
        }
        if (!interfaces.isArray()) {
            card.remove(member);
            return;
        }
        for (Iterator<JsonNode> it = interfaces.elements(); it.hasNext(); ) {
            JsonNode entry = it.next();
            JsonNode url = entry.get("url");
            String mapped = entry.isObject() && carried(entry, bindingFields) && url != null && url.isTextual()
                    && staysInPath(entry.get("tenant")) ? map(url.textValue()) : null;
            if (mapped == null) {
                it.remove();
            } else {
                ((ObjectNode) entry).put("url", mapped);
            }
        }
    }

    /** Whether the binding an object names, in each spelling given, is one the gateway carries (absent is no binding). */
    private static boolean carried(JsonNode object, String... bindingFields) {
        for (String field : bindingFields) {
            JsonNode binding = object.get(field);
            if (binding != null && !binding.isNull() && (!binding.isTextual() || isGrpc(binding.textValue()))) {
                return false;
            }
        }
        return true;
    }

    /**
     * 0.3: the main {@code url}; when it cannot be carried (elsewhere, gRPC, or not a string: the SDK's 0.3 card
     * translation copies it as it is and fetch stringifies it), the first remaining additional interface takes its place,
     * else the route's public URL.
     */
    private void rewriteLegacyUrl(ObjectNode card) {
        JsonNode url = card.get("url");
        if (url == null || url.isNull()) {
            return;
        }
        String mapped = url.isTextual() && carried(card, "preferredTransport", "preferred_transport") ? map(url.textValue()) : null;
        if (mapped != null) {
            card.put("url", mapped);
            return;
        }
        card.remove("preferred_transport");
        JsonNode first = firstInterface(card);
        if (first != null) {
            card.put("url", first.path("url").asText());
            JsonNode transport = first.get("transport");
            card.put("preferredTransport", transport != null && transport.isTextual() ? transport.textValue() : "JSONRPC");
        } else {
            card.put("url", publicBase);
            card.put("preferredTransport", "JSONRPC");
        }
    }

    /** The first additional interface left (each already under the gateway), in either spelling; null when none. */
    private static JsonNode firstInterface(ObjectNode card) {
        for (String member : List.of("additionalInterfaces", "additional_interfaces")) {
            JsonNode others = card.get(member);
            if (others != null && others.isArray() && others.size() > 0) {
                return others.get(0);
            }
        }
        return null;
    }

    private void replaceSecurity(ObjectNode card, GatewayAuth auth) {
        boolean v1 = card.has("supportedInterfaces") || card.has("supported_interfaces") || card.has("securityRequirements")
                || card.has("security_requirements");
        boolean v03 = card.has("url") || card.has("protocolVersion") || card.has("protocol_version") || card.has("security");
        // The upstream's schemes and requirements go in every spelling: a reader falls back on the snake_case one.
        card.remove(List.of("security_schemes", "security_requirements"));
        ObjectNode schemes = card.putObject("securitySchemes");
        if (auth != null && auth.headerName() != null) {
            ObjectNode scheme = schemes.putObject(auth.schemeName());
            if (v1) {
                scheme.putObject("apiKeySecurityScheme").put("location", "header").put("name", auth.headerName());
            }
            if (v03) {
                // 0.3 uses the OpenAPI form; a mixed card (JS SDK compat) gets both, each side ignores the other's fields.
                scheme.put("type", "apiKey").put("in", "header").put("name", auth.headerName());
            }
        }
        boolean required = auth != null && auth.headerName() != null && auth.required();
        if (v1) {
            ArrayNode requirements = card.putArray("securityRequirements");
            if (required) {
                requirements.addObject().putObject("schemes").putObject(auth.schemeName()).putArray("list");
            }
        }
        if (v03) {
            ArrayNode security = card.putArray("security");
            if (required) {
                security.addObject().putArray(auth.schemeName());
            }
        }
    }

    /** The gateway URL for an upstream URL, or null when the URL is not under the upstream's base. */
    String map(String url) {
        if (url == null) {
            return null;
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return null;
        }
        if (uri.getScheme() == null || uri.getHost() == null
                || !uri.getScheme().equalsIgnoreCase(upstream.getScheme())
                || !uri.getHost().equalsIgnoreCase(upstream.getHost())
                || port(uri) != port(upstream)) {
            return null;
        }
        String base = trimSlash(upstream.getRawPath());
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        if (hasDotSegment(path)) {
            // A client resolves "." and ".." (and their %2e spellings) before it sends: <gateway>/agent/../../b is another
            // route's URL (review BA), whatever the prefix it starts with.
            return null;
        }
        if (!(path.equals(base) || path.startsWith(base + "/") || base.isEmpty())) {
            return null;
        }
        String rest = trimSlash(path.substring(base.length()));
        String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
        return publicBase + rest + query;
    }

    /**
     * Whether an interface's {@code tenant}, which the HTTP+JSON transport writes into the path after the URL, stays one
     * segment under it: absent, or a string with no separator and not "." or ".." (review BA's suspicion: a tenant
     * ".." puts the client's calls one level up, on another route's path).
     */
    private static boolean staysInPath(JsonNode tenant) {
        if (tenant == null || tenant.isNull()) {
            return true;
        }
        if (!tenant.isTextual()) {
            return false;
        }
        String t = tenant.textValue();
        return t.indexOf('/') < 0 && t.indexOf('\\') < 0 && t.indexOf('?') < 0 && t.indexOf('#') < 0 && !hasDotSegment(t);
    }

    /** Whether a raw path has a segment a URL parser resolves away: ".", "..", or either with dots written %2e. */
    static boolean hasDotSegment(String rawPath) {
        for (String segment : rawPath.split("/", -1)) {
            String dots = segment.replace("%2e", ".").replace("%2E", ".");
            if (dots.equals(".") || dots.equals("..")) {
                return true;
            }
        }
        return false;
    }

    private static boolean isGrpc(String binding) {
        return binding.toUpperCase(Locale.ROOT).equals("GRPC");
    }

    private static int port(URI uri) {
        return uri.getPort() > 0 ? uri.getPort() : uri.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    }

    private static String trimSlash(String path) {
        if (path == null) {
            return "";
        }
        return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }
}
