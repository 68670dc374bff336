package dev.tollgate.gateway.routing;

/** The route a request path selected and the upstream request URI it maps to. */
public record RouteMatch(Route route, String upstreamUri) {
}
