package dev.tollgate.gateway.pipeline;

import dev.tollgate.gateway.config.ListenerConfig;
import dev.tollgate.gateway.http.HostOriginGuard;

/** A listener's configuration with its Host/Origin guard compiled once. */
public record ListenerRuntime(ListenerConfig config, HostOriginGuard guard) {

    public static ListenerRuntime of(ListenerConfig config) {
        return new ListenerRuntime(config, new HostOriginGuard(config));
    }
}
