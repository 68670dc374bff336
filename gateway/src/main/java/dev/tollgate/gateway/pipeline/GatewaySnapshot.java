package dev.tollgate.gateway.pipeline;

import dev.tollgate.gateway.config.GatewayConfig;
import dev.tollgate.gateway.routing.RouteTable;
import dev.tollgate.protocols.json.StrictJsonParser;
import dev.tollgate.protocols.jsonrpc.JsonRpcParser;

/**
 * Everything compiled from one configuration load. Immutable; a reload builds a new one and swaps it
 * atomically, and a request keeps the snapshot it started with until it ends.
 */
public record GatewaySnapshot(GatewayConfig config, RouteTable routes, JsonRpcParser jsonRpc) {

    public static GatewaySnapshot compile(GatewayConfig config) {
        return new GatewaySnapshot(config, new RouteTable(config.routes()),
                new JsonRpcParser(new StrictJsonParser(config.limits().maxJsonDepth())));
    }
}
