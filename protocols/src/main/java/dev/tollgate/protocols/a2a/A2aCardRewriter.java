package dev.tollgate.protocols.a2a;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Iterator;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * Rewrites an agent card (public or extended, 1.0 or 0.3 or the JS SDK's mix of both) so that a client
 * following it stays behind the gateway:
 * <ul>
 *   <li>every interface URL under the upstream's base is moved under the gateway's public URL (1.0
 *       {@code supportedInterfaces[].url}; 0.3 {@code url} and {@code additionalInterfaces[].url});</li>
 *   <li>interfaces the gateway cannot carry are dropped: gRPC, and URLs elsewhere than the upstream, which a
 *       client would call around the gateway;</li>
 *   <li>{@code signatures} are removed: they sign the upstream's URLs, so they no longer verify;</li>
 *   <li>skills the caller may not use are removed;</li>
 *   <li>with {@link GatewayAuth}, the security schemes and requirements are the gateway's, and the skills'
 *       own requirements (naming the upstream's schemes) are removed.</li>
 * </ul>
 * The card is modified in place.
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
     */
    public void rewrite(ObjectNode card, Predicate<String> skillVisible, GatewayAuth auth, boolean replaceSecurity) {
        rewriteInterfaces(card.get("supportedInterfaces"), "protocolBinding");
        rewriteInterfaces(card.get("additionalInterfaces"), "transport");
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
                    ((ObjectNode) skill).remove("securityRequirements");
                    ((ObjectNode) skill).remove("security");
                }
            }
        }
        if (replaceSecurity) {
            replaceSecurity(card, auth);
        }
    }

    private void rewriteInterfaces(JsonNode interfaces, String bindingField) {
        if (interfaces == null || !interfaces.isArray()) {
            return;
        }
        for (Iterator<JsonNode> it = interfaces.elements(); it.hasNext(); ) {
            JsonNode entry = it.next();
            String mapped = entry.isObject() && !isGrpc(entry.path(bindingField).asText(""))
                    ? map(entry.path("url").asText(null)) : null;
            if (mapped == null) {
                it.remove();
            } else {
                ((ObjectNode) entry).put("url", mapped);
            }
        }
    }

    /** 0.3: the main {@code url}; when it cannot be carried, the first remaining additional interface takes its place. */
    private void rewriteLegacyUrl(ObjectNode card) {
        JsonNode url = card.get("url");
        if (url == null || !url.isTextual()) {
            return;
        }
        String mapped = isGrpc(card.path("preferredTransport").asText("")) ? null : map(url.textValue());
        if (mapped != null) {
            card.put("url", mapped);
            return;
        }
        JsonNode others = card.get("additionalInterfaces");
        if (others != null && others.isArray() && others.size() > 0) {
            JsonNode first = others.get(0);
            card.put("url", first.path("url").asText());
            card.put("preferredTransport", first.path("transport").asText("JSONRPC"));
        } else {
            card.put("url", publicBase);
            card.put("preferredTransport", "JSONRPC");
        }
    }

    private void replaceSecurity(ObjectNode card, GatewayAuth auth) {
        boolean v1 = card.has("supportedInterfaces") || card.has("securityRequirements");
        boolean v03 = card.has("url") || card.has("protocolVersion") || card.has("security");
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
        if (!(path.equals(base) || path.startsWith(base + "/") || base.isEmpty())) {
            return null;
        }
        String rest = trimSlash(path.substring(base.length()));
        String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
        return publicBase + rest + query;
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
