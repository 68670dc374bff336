package dev.tollgate.gateway.config;

import java.net.URI;

/**
 * Settings of an {@code a2a} route ({@code routes[].a2a}).
 *
 * @param publicUrl    the URL clients reach this route at (e.g. behind a load balancer); agent cards are
 *                     rewritten to it. Null: built from each request's scheme, Host and the route path
 * @param cardSecurity whose security schemes the served card advertises
 * @param restBase     where below the route the agent serves its HTTP+JSON API ({@code /a2a/rest}): then the one segment
 *                     between it and an operation is the call's tenant, as the agent reads it. Null: not known, so a
 *                     call is decided under either reading of the segment before its operation (tenant, or none)
 */
public record A2aRouteConfig(URI publicUrl, CardSecurity cardSecurity, String restBase) {

    public static final A2aRouteConfig DEFAULTS = new A2aRouteConfig(null, CardSecurity.UPSTREAM, null);

    public A2aRouteConfig(URI publicUrl, CardSecurity cardSecurity) {
        this(publicUrl, cardSecurity, null);
    }

    /** Whose authentication a client following the card must satisfy. */
    public enum CardSecurity {
        /** The agent's own schemes pass through: the gateway forwards the credentials they name. */
        UPSTREAM,
        /** The gateway authenticates (AXID on the route): the card lists the gateway's scheme instead. */
        GATEWAY
    }
}
