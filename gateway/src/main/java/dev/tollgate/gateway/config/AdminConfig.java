package dev.tollgate.gateway.config;

/** The operator-facing listener: health, readiness and metrics, never exposed with the routes. */
public record AdminConfig(String host, int port) {
}
