package dev.tollgate.protocols.a2a;

import dev.tollgate.protocols.uri.PercentEncoding;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Classifies a request on an A2A route by verb and path. HTTP+JSON paths are recognised by their tail, so
 * they work under whatever base the agent serves them from and under an optional {@code /{tenant}} prefix:
 * {@code /message:send}, {@code /message:stream}, {@code /tasks}, {@code /tasks/{id}},
 * {@code /tasks/{id}:cancel}, {@code /tasks/{id}:subscribe} (GET and POST: the spec text and a2a.proto
 * disagree), {@code /tasks/{id}/pushNotificationConfigs[/{configId}]}, {@code /extendedAgentCard}, and the
 * 0.3 forms under {@code /v1/} (with {@code /v1/card} for the extended card). Any other POST is JSON-RPC.
 *
 * <p>Read as the agents' routers read them: the fixed words ignoring case (Express, which the JavaScript SDK serves
 * on, routes {@code /Tasks/{id}/pushNotificationConfigs} as {@code /tasks/...}; read case-sensitively it fell to
 * "any other POST" and was decided as JSON-RPC), and task and config ids percent-decoded (the router decodes its
 * parameters: {@code %31%36...} is task {@code 16...} to it, and ownership must look up that id).
 */
public final class A2aPaths {

    private static final String TASKS = "tasks";
    private static final String PUSH_CONFIGS = "pushnotificationconfigs";

    private A2aPaths() {
    }

    /**
     * @param verb HTTP method in upper case
     * @param path the request path below the route prefix (the part forwarded after the upstream base)
     */
    public static A2aTarget classify(String verb, String path) {
        A2aTarget target = byTail(verb, path);
        if (target instanceof A2aTarget.Rest rest) {
            // 0.3 when the operation sits right below /v1, where the SDK mounts its 0.3 router (review L: any v1 segment
            // made a call 0.3, so under /api/v1/a2a/rest a 1.0 send was refused and a path tenant not read).
            List<String> s = segments(path);
            int before = s.size() - operationSegments(rest.method()) - 1;
            boolean legacy = before >= 0 && s.get(before).equalsIgnoreCase("v1");
            return new A2aTarget.Rest(rest.method(), rest.taskId(), rest.configId(), legacy);
        }
        return target;
    }

    private static A2aTarget byTail(String verb, String path) {
        List<String> raw = segments(path);
        List<String> s = raw.stream().map(segment -> segment.toLowerCase(Locale.ROOT)).toList();
        int n = s.size();
        String last = n == 0 ? "" : s.get(n - 1);
        String prev = n < 2 ? "" : s.get(n - 2);
        if (prev.equals(".well-known") && (last.equals("agent-card.json") || last.equals("agent.json"))) {
            return verb.equals("GET") ? new A2aTarget.AgentCard() : wrongVerb(path, "GET");
        }
        switch (last) {
            case "message:send":
                return only(verb, "POST", path, new A2aTarget.Rest(A2aMethod.SEND_MESSAGE, null, null, false));
            case "message:stream":
                return only(verb, "POST", path, new A2aTarget.Rest(A2aMethod.SEND_STREAMING_MESSAGE, null, null, false));
            case "extendedagentcard":
                return only(verb, "GET", path, new A2aTarget.Rest(A2aMethod.GET_EXTENDED_CARD, null, null, false));
            case TASKS:
                if (verb.equals("GET")) {
                    return new A2aTarget.Rest(A2aMethod.LIST_TASKS, null, null, false);
                }
                break;
            case PUSH_CONFIGS:
                if (n >= 3 && s.get(n - 3).equals(TASKS)) {
                    String taskId = PercentEncoding.decodedSegment(raw.get(n - 2));
                    if (taskId == null) {
                        return malformed(path);
                    }
                    if (verb.equals("POST")) {
                        return new A2aTarget.Rest(A2aMethod.CREATE_PUSH_CONFIG, taskId, null, false);
                    }
                    return verb.equals("GET") ? new A2aTarget.Rest(A2aMethod.LIST_PUSH_CONFIGS, taskId, null, false) : wrongVerb(path, "GET, POST");
                }
                break;
            default:
                break;
        }
        if (last.equals("card") && prev.equals("v1")) {
            return only(verb, "GET", path, new A2aTarget.Rest(A2aMethod.GET_EXTENDED_CARD, null, null, true));
        }
        if (prev.equals(PUSH_CONFIGS) && n >= 4 && s.get(n - 4).equals(TASKS)) {
            String taskId = PercentEncoding.decodedSegment(raw.get(n - 3));
            String configId = PercentEncoding.decodedSegment(raw.get(n - 1));
            if (taskId == null || configId == null) {
                return malformed(path);
            }
            if (verb.equals("GET")) {
                return new A2aTarget.Rest(A2aMethod.GET_PUSH_CONFIG, taskId, configId, false);
            }
            return verb.equals("DELETE") ? new A2aTarget.Rest(A2aMethod.DELETE_PUSH_CONFIG, taskId, configId, false) : wrongVerb(path, "GET, DELETE");
        }
        if (prev.equals(TASKS) && !last.isEmpty()) {
            String rawLast = raw.get(n - 1);
            int colon = rawLast.indexOf(':');
            String taskId = PercentEncoding.decodedSegment(colon < 0 ? rawLast : rawLast.substring(0, colon));
            if (taskId == null) {
                return malformed(path);
            }
            if (colon < 0) {
                return only(verb, "GET", path, new A2aTarget.Rest(A2aMethod.GET_TASK, taskId, null, false));
            }
            String action = last.substring(colon + 1);
            if (!taskId.isEmpty() && action.equals("cancel")) {
                return only(verb, "POST", path, new A2aTarget.Rest(A2aMethod.CANCEL_TASK, taskId, null, false));
            }
            if (!taskId.isEmpty() && action.equals("subscribe")) {
                return verb.equals("GET") || verb.equals("POST") ? new A2aTarget.Rest(A2aMethod.SUBSCRIBE_TO_TASK, taskId, null, false)
                        : wrongVerb(path, "GET, POST");
            }
            return new A2aTarget.Invalid("no A2A operation '" + action + "' on a task", null);
        }
        if (last.indexOf(':') >= 0) {
            // A custom method in the HTTP+JSON style that A2A does not define: never guessed at, never forwarded.
            return new A2aTarget.Invalid("no A2A operation '" + last + "'", null);
        }
        if (verb.equals("POST")) {
            return new A2aTarget.JsonRpc();
        }
        if (!verb.equals("GET") && !verb.equals("DELETE")) {
            // No A2A operation uses this verb; here POST (JSON-RPC) is the one that works.
            return wrongVerb(path, "POST");
        }
        return new A2aTarget.Invalid("no A2A operation at " + verb + " " + (path.isEmpty() ? "/" : path), null);
    }

    /**
     * The segment right before the operation a 1.0 HTTP+JSON path names, percent-decoded as the agent's router decodes
     * its {@code :tenant} parameter; null for a 0.3 form (no tenant), a path with nothing before the operation, or a
     * segment that does not decode. {@code /a2a/rest/prod/message:send} gives {@code prod} (the tenant, to an agent
     * serving its API at {@code /a2a/rest}) and {@code /a2a/rest/message:send} gives {@code rest} (no tenant at all),
     * both candidates. Below a known {@code restBase} the reading is exact: the one segment between the base and the
     * operation, or none.
     */
    public static PathTenant tenantCandidate(String path, A2aTarget.Rest rest, String restBase) {
        if (rest.legacy()) {
            return null;
        }
        List<String> raw = segments(path);
        int operation = raw.size() - operationSegments(rest.method());
        if (restBase != null) {
            List<String> base = segments(restBase);
            boolean under = operation >= base.size() && operation - base.size() <= 1;
            for (int i = 0; under && i < base.size(); i++) {
                // Mount paths are matched ignoring case, as Express does.
                under = raw.get(i).equalsIgnoreCase(base.get(i));
            }
            if (under) {
                String tenant = operation == base.size() ? null : PercentEncoding.decodedSegment(raw.get(base.size()));
                return new PathTenant(tenant, true);
            }
        }
        return operation < 1 ? null : new PathTenant(PercentEncoding.decodedSegment(raw.get(operation - 1)), false);
    }

    /**
     * The tenant an HTTP+JSON path names.
     *
     * @param segment the tenant (null: none, or a segment that does not decode)
     * @param exact   read below the route's known REST base, so the agent reads exactly this; else a candidate: the agent
     *                may read it as the tenant or as part of where it serves its API
     */
    public record PathTenant(String segment, boolean exact) {
    }

    /** How many segments the operation's own part of its path has ({@code tasks/{id}:cancel}: 2). */
    private static int operationSegments(A2aMethod method) {
        return switch (method) {
            case GET_TASK, CANCEL_TASK, SUBSCRIBE_TO_TASK -> 2;
            case CREATE_PUSH_CONFIG, LIST_PUSH_CONFIGS -> 3;
            case GET_PUSH_CONFIG, DELETE_PUSH_CONFIG -> 4;
            default -> 1;
        };
    }

    private static A2aTarget only(String verb, String allowed, String path, A2aTarget target) {
        return verb.equals(allowed) ? target : wrongVerb(path, allowed);
    }

    private static A2aTarget wrongVerb(String path, String allow) {
        return new A2aTarget.Invalid((path.isEmpty() ? "/" : path) + " takes " + allow, allow);
    }

    private static A2aTarget malformed(String path) {
        return new A2aTarget.Invalid("malformed percent-encoding in " + path, null);
    }

    private static List<String> segments(String path) {
        List<String> out = new ArrayList<>();
        for (String segment : path.split("/")) {
            if (!segment.isEmpty()) {
                out.add(segment);
            }
        }
        return out;
    }
}
