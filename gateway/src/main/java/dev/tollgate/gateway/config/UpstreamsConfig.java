package dev.tollgate.gateway.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * The instances a route forwards to and how it spreads calls over them.
 *
 * @param endpoints   one or more instances of the same server, each with a weight (a route's {@code upstream:} is a
 *                    list of one)
 * @param balance     how each call picks an instance among the available ones
 * @param healthCheck active probing of every instance; null for none (instances are then available until passive
 *                    ejection takes them out)
 * @param ejection    passive ejection: an instance failing this many calls in a row is left out for a while
 */
public record UpstreamsConfig(List<Endpoint> endpoints, Balance balance, HealthCheck healthCheck, OutlierEjection ejection) {

    public UpstreamsConfig {
        endpoints = List.copyOf(endpoints);
        balance = balance == null ? Balance.LEAST_REQUESTS : balance;
        ejection = ejection == null ? OutlierEjection.DEFAULT : ejection;
    }

    /** A route with one upstream URL, no health check. */
    public static UpstreamsConfig single(URI url) {
        return new UpstreamsConfig(List.of(new Endpoint(url, 1)), Balance.LEAST_REQUESTS, null, OutlierEjection.DEFAULT);
    }

    /** One instance: an absolute http(s) URL and its share of the calls relative to the others. */
    public record Endpoint(URI url, int weight) {
    }

    public enum Balance {
        /** The instance with the fewest calls in flight per unit of weight; ties rotate. */
        LEAST_REQUESTS,
        /** Each instance in turn, as many turns as its weight. */
        ROUND_ROBIN
    }

    /**
     * @param interval       time between two probes of an instance
     * @param timeout        how long a probe may take before it counts as failed
     * @param probe          what a probe sends
     * @param path           for {@code http} probes: the path requested on the instance's host (the URL's own path when null)
     * @param unhealthyAfter consecutive failed probes that take a healthy instance out
     * @param healthyAfter   consecutive good probes that bring an unhealthy instance back
     */
    public record HealthCheck(Duration interval, Duration timeout, Probe probe, String path, int unhealthyAfter, int healthyAfter) {
        public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);
        public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    }

    public enum Probe {
        /** POST a JSON-RPC {@code ping} to the MCP endpoint: any answer below 500 means the server is serving MCP. */
        MCP_PING,
        /** GET {@code path}: a 2xx or 3xx answer is healthy (A2A: the agent card). */
        HTTP,
        /** A TCP (and TLS, for https) connection that opens is healthy. */
        TCP
    }

    /**
     * @param consecutiveFailures calls in a row that failed on the instance (no connection, reset, 502/503/504) before
     *                            it is ejected
     * @param baseTime            the first ejection's length; each further ejection in a row doubles it
     * @param maxTime             the longest ejection
     */
    public record OutlierEjection(int consecutiveFailures, Duration baseTime, Duration maxTime) {
        public static final OutlierEjection DEFAULT = new OutlierEjection(5, Duration.ofSeconds(10), Duration.ofMinutes(5));
    }
}
