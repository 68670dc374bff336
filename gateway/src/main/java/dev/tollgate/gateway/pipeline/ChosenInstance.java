package dev.tollgate.gateway.pipeline;

import dev.tollgate.gateway.upstream.UpstreamInstance;
import dev.tollgate.gateway.upstream.UpstreamSet;
import java.util.List;

/**
 * The instance the gateway's own tools list ({@link ToolListFetch}) reached for a call, which the call is then forwarded
 * to ({@link UpstreamCall}): the call and its list are one balancing choice, not two turns, and the instances the list
 * could not connect to are not tried again for the call.
 *
 * @param set      the route's instances the choice was made among (a reload since then gives the call a fresh choice)
 * @param instance the instance the list reached
 * @param tried    the instances the list failed to connect to first (failover), in order
 */
record ChosenInstance(UpstreamSet set, UpstreamInstance instance, List<UpstreamInstance> tried) {

    ChosenInstance {
        tried = List.copyOf(tried);
    }
}
