package dev.tollgate.gateway.config;

/**
 * mTLS from the gateway to a route's upstream with SPIFFE SVIDs: the gateway presents the SVID of one of
 * its mTLS listeners and accepts the upstream only if its certificate is a valid SVID of one of that
 * listener's trust domains whose SPIFFE ID matches {@code spiffeId}. No DNS host check: SVIDs carry no
 * DNS name, the SPIFFE ID is what identifies the upstream.
 *
 * @param spiffeId expected SPIFFE ID of the upstream, exact or a path glob ({@code *} one segment, {@code **} any)
 * @param svid     name of the mTLS listener whose SVID source (SVID and trust bundles) is used
 */
public record UpstreamTlsConfig(String spiffeId, String svid) {
}
