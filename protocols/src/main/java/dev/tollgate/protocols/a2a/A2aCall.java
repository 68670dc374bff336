package dev.tollgate.protocols.a2a;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * One A2A request, described for policy, spans and audit, whichever binding and generation carried it.
 *
 * @param method     the operation (policy sees its 1.0 name)
 * @param wireMethod the name as sent: a JSON-RPC method of either generation, or {@code VERB /path} for REST
 * @param binding    JSON-RPC or HTTP+JSON
 * @param legacy     sent in 0.3 form (a 0.3 method name, or a {@code /v1/} path)
 * @param taskId     the task the call is about (a continued task for a message), or null
 * @param contextId  the conversation the message belongs to, or null
 * @param referenceTaskIds the tasks a message names as context ({@code referenceTaskIds}), which the agent loads
 * @param skill      the skill the caller declared ({@code metadata.skillId}), or null: A2A requests name none
 * @param pushUrl    the push-notification webhook the call would register, or null
 * @param view       the normalized JSON view that policy {@code arg:} pointers read; see {@link A2aCalls}
 */
public record A2aCall(A2aMethod method, String wireMethod, Binding binding, boolean legacy, String taskId, String contextId,
                      List<String> referenceTaskIds, String skill, String pushUrl, ObjectNode view) {

    /**
     * The view's member for the segment right before an HTTP+JSON operation ({@code /{tenant}/message:send}): the
     * agent's tenant when it serves its API one level above that segment, nothing when the segment is part of where it
     * serves it. The gateway cannot tell which, so policy decides the call under either reading of the tenant.
     */
    public static final String PATH_TENANT = "pathTenant";

    /**
     * This call with the tenant its HTTP+JSON path names: read exactly, it is the view's {@code tenant} (the agent
     * overwrites the body's with it); a candidate goes in {@link #PATH_TENANT}. Itself when the path names none.
     */
    public A2aCall withPathTenant(A2aPaths.PathTenant tenant) {
        if (tenant == null || tenant.segment() == null) {
            return this;
        }
        ObjectNode withSegment = view.deepCopy();
        withSegment.put(tenant.exact() ? "tenant" : PATH_TENANT, tenant.segment());
        return new A2aCall(method, wireMethod, binding, legacy, taskId, contextId, referenceTaskIds, skill, pushUrl, withSegment);
    }

    /**
     * True when the call hands the agent a push-notification config, a webhook the agent then sends the task's events to
     * directly, past the gateway: a {@code CreateTaskPushNotificationConfig} (either generation, either binding), or a
     * message send whose request holds one ({@code configuration.taskPushNotificationConfig}, 0.3's
     * {@code pushNotificationConfig}, any spelling: see {@link A2aCalls}).
     */
    public boolean configuresPush() {
        return method == A2aMethod.CREATE_PUSH_CONFIG || pushUrl != null || view.has("push");
    }

    /** How the call travelled. */
    public enum Binding {
        JSONRPC("jsonrpc"), HTTP_JSON("http+json");

        private final String label;

        Binding(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }
}
