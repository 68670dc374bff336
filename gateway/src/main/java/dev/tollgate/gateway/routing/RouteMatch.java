package dev.tollgate.gateway.routing;

/**
 * The route a request path selected, and what of the request the upstream gets on whichever instance serves it:
 * the path after the route's prefix and the query.
 */
public record RouteMatch(Route route, String remainder, String rawQuery) {

    /** The request URI on this instance of the route's upstream. */
    public String upstreamUri(UpstreamTarget instance) {
        return instance.uriFor(remainder, rawQuery);
    }
}
