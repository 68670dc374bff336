package dev.tollgate.protocols.a2a;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Builds the {@link A2aCall} of a request from its method and parameters, reading the 1.0 (ProtoJSON) and
 * 0.3 ({@code kind}-tagged) shapes alike, so that a rule written once holds for both. The normalized view:
 *
 * <pre>
 * {"method": "SendMessage", "binding": "jsonrpc", "version": "1.0" | "0.3", "tenant": "...",
 *  "taskId": "...", "contextId": "...", "configId": "...", "referenceTaskIds": [...], "skill": "...",
 *  "message": {"role": "user", "messageId": "...", "size": 123, "partCount": 1,
 *              "parts": [{"kind": "text" | "file" | "data", "size": 12, "text": "...", "data": {...}, "mediaType": "...", "url": "...",
 *                         "filename": "...", "content": "an inline file's text"}], "text": "the text parts joined by newlines",
 *              "metadata": {...}, "extensions": [...]},
 *  "metadata": {...}, "extensions": ["uri", ...], "acceptedOutputModes": [...],
 *  "push": {"url": "https://...", "urls": [...]}}
 * </pre>
 *
 * Part kinds use the 0.3 names: a 1.0 {@code raw} or {@code url} part is a {@code file}; a file whose content travels
 * inline carries it decoded in {@code content} when every reader decodes the same text ({@link InlineFileText}: canonical
 * base64, UTF-8, at most 64 KiB), and only its size otherwise. Sizes are bytes
 * (UTF-8 text, decoded base64, serialized JSON data). {@code extensions} merges the message's and the
 * {@code A2A-Extensions} header's. Every push-notification URL anywhere in the request is collected; a
 * request naming two different ones is refused, so a rule on {@code /push/url} cannot be sidestepped; so is a push URL
 * that is not a string (the agent would call {@code String(url)}, a webhook no rule saw).
 *
 * <p>Ids are read as the agent reads them and refused where it could read them otherwise ({@link A2aFields}); parts
 * likewise ({@link A2aParts}).
 */
public final class A2aCalls {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private A2aCalls() {
    }

    /**
     * @param params           the JSON-RPC params or the HTTP+JSON body; null or missing for bodiless calls
     * @param pathTaskId       the task id from an HTTP+JSON path, or null
     * @param pathConfigId     the push-config id from an HTTP+JSON path, or null
     * @param extensionsHeader the {@code A2A-Extensions} (or {@code X-A2A-Extensions}) header, or null
     */
    public static A2aCall describe(A2aMethod method, String wireMethod, A2aCall.Binding binding, boolean legacy, JsonNode params,
                                   String pathTaskId, String pathConfigId, String extensionsHeader) throws A2aInvalidRequest {
        if (params != null && !params.isMissingNode() && !params.isNull() && !params.isObject()) {
            throw new A2aInvalidRequest(method.canonicalName() + " params must be an object");
        }
        JsonNode p = params == null || !params.isObject() ? F.objectNode() : params;
        ObjectNode view = F.objectNode();
        view.put("method", method.canonicalName());
        view.put("binding", binding.label());
        view.put("version", legacy ? "0.3" : "1.0");
        if (legacy && p.hasNonNull("tenant")) {
            // A2A 0.3 has no tenant: the SDK's 0.3 handlers ignore the member and run the call in the default tenant, which
            // a rule reading this tenant never saw (review AU).
            throw new A2aInvalidRequest("A2A 0.3 has no tenant: the agent would run this " + wireMethod
                    + " in its default tenant, not in the one params names; send an A2A 1.0 call to name a tenant");
        }
        putText(view, "tenant", A2aFields.string(p, "tenant", null));

        String taskId = pathTaskId;
        String contextId = null;
        String configId = pathConfigId;
        List<String> referenceTaskIds = List.of();
        Set<String> extensions = new LinkedHashSet<>(extensionsHeader == null ? Set.of() : A2aHeaders.extensions(List.of(extensionsHeader)));
        if (method.sendsMessage()) {
            boolean proto = legacy && binding == A2aCall.Binding.HTTP_JSON;
            JsonNode message = p.get("message");
            if (message == null || !message.isObject()) {
                throw new A2aInvalidRequest(method.canonicalName() + " needs a message object");
            }
            if (proto && p.has("request")) {
                // The proto field's own name: an agent reads message first, another request first; only one is sent.
                throw new A2aInvalidRequest("request (the 0.3 proto field name of message) is not read by the gateway; send message");
            }
            if (legacy && !proto) {
                refuseSnakeCaseIds(message);
            }
            view.set("message", message(message, parts(message, proto), proto, legacy, extensions));
            // The SDK reads taskId, else task_id, and hands the agent every task referenceTaskIds names: ownership checks them all.
            String messageTask = A2aFields.id(message, "taskId", "task_id");
            taskId = taskId != null ? taskId : messageTask;
            contextId = A2aFields.id(message, "contextId", "context_id");
            referenceTaskIds = A2aFields.ids(message, "referenceTaskIds", "reference_task_ids");
            // The SDK reads acceptedOutputModes, else accepted_output_modes: a rule reads the one it reads.
            JsonNode configuration = p.get("configuration");
            if (legacy && !proto && configuration != null && configuration.hasNonNull("accepted_output_modes")) {
                // The SDK's 0.3 layer reads acceptedOutputModes only (toCoreSendMessageConfiguration): review DC.
                throw new A2aInvalidRequest("a 0.3 configuration names accepted_output_modes, which the JavaScript SDK's 0.3 layer"
                        + " does not read; send acceptedOutputModes");
            }
            List<String> modes = configuration == null || !configuration.isObject() ? null
                    : A2aFields.strings(configuration, "acceptedOutputModes", "accepted_output_modes");
            if (modes != null) {
                ArrayNode list = view.putArray("acceptedOutputModes");
                modes.forEach(list::add);
            }
        } else if (isPushConfig(method)) {
            // 1.0 names the task taskId and the config id; 0.3 names the task id and the config pushNotificationConfigId.
            String task = A2aFields.id(p, "taskId", "task_id");
            String id = A2aFields.id(p, "id", null);
            String pushConfigId = A2aFields.id(p, "pushNotificationConfigId", null);
            // The SDK reads the task from a different member by version and binding (0.3 JSON-RPC get, list and delete:
            // id; 0.3 REST create: the body's name, tasks/{task}/pushNotificationConfigs/{config}, over the path): every
            // member that may name it must name the same task, or the call is decided on one task and acts on another.
            taskId = sameTask(taskId, task, legacy ? id : null, taskOfConfigName(A2aFields.string(p, "name", null)));
            if (configId == null) {
                configId = legacy || task == null ? pushConfigId : id;
            }
        } else if (method == A2aMethod.LIST_TASKS) {
            contextId = A2aFields.id(p, "contextId", "context_id");
        } else if (method != A2aMethod.GET_EXTENDED_CARD) {
            String id = A2aFields.id(p, "id", null);
            taskId = taskId != null ? taskId : id;
        }
        JsonNode metadata = p.get("metadata");
        if (metadata != null && metadata.isObject()) {
            view.set("metadata", metadata);
        }
        putText(view, "taskId", taskId);
        putText(view, "contextId", contextId);
        putText(view, "configId", configId);
        if (!referenceTaskIds.isEmpty()) {
            ArrayNode list = view.putArray("referenceTaskIds");
            referenceTaskIds.forEach(list::add);
        }
        String skill = skill(view);
        putText(view, "skill", skill);
        if (!extensions.isEmpty()) {
            ArrayNode list = view.putArray("extensions");
            extensions.forEach(list::add);
        }
        Set<String> pushUrls = new LinkedHashSet<>();
        if (method == A2aMethod.CREATE_PUSH_CONFIG) {
            pushUrl(p.get("url"), pushUrls);
        }
        collectPushUrls(p, false, pushUrls, 0);
        if (pushUrls.size() > 1) {
            throw new A2aInvalidRequest("the request names more than one push-notification URL");
        }
        String pushUrl = pushUrls.isEmpty() ? null : pushUrls.iterator().next();
        if (pushUrl != null) {
            view.putObject("push").put("url", pushUrl);
        } else if (method.sendsMessage() && pushConfigured(p.get("configuration"))) {
            // A push config the gateway reads no URL in (none, or one in a member it does not know): still a config the
            // agent is handed, so the call is one that configures push (A2aCall#configuresPush), whatever its URL.
            view.putObject("push");
        }
        return new A2aCall(method, wireMethod, binding, legacy, taskId, contextId, referenceTaskIds, skill, pushUrl, view);
    }

    /**
     * The message's parts as the agent reads them: {@code parts} (1.0, and 0.3 JSON-RPC), or on the 0.3 HTTP+JSON binding
     * the proto JSON's {@code content}, which is all such an agent reads (a missing list is an empty message, as there).
     * The member the agent does not read is refused where it is present: a rule would decide on what the agent never sees.
     */
    private static JsonNode parts(JsonNode message, boolean proto) throws A2aInvalidRequest {
        String read = proto ? "content" : "parts";
        String unread = proto ? "parts" : "content";
        if (message.has(unread)) {
            throw new A2aInvalidRequest("message." + unread + " is not read by " + (proto ? "a 0.3 HTTP+JSON agent; send message.content"
                    : "a 1.0 or 0.3 JSON-RPC agent (content is the 0.3 HTTP+JSON proto form); send message.parts"));
        }
        JsonNode parts = message.get(read);
        if (proto && (parts == null || parts.isNull())) {
            return F.arrayNode();
        }
        if (parts == null || !parts.isArray()) {
            throw new A2aInvalidRequest("message." + read + " must be a list");
        }
        return parts;
    }

    private static ObjectNode message(JsonNode message, JsonNode messageParts, boolean proto, boolean legacy, Set<String> extensions)
            throws A2aInvalidRequest {
        ObjectNode out = F.objectNode();
        String role = role(message.get("role"));
        if (role != null) {
            // ROLE_USER (1.0) and user (0.3) are the same role.
            out.put("role", role.toLowerCase(Locale.ROOT).replace("role_", ""));
        }
        putText(out, "messageId", A2aFields.id(message, "messageId", "message_id"));
        ArrayNode parts = out.putArray("parts");
        long total = 0;
        StringBuilder text = null;
        for (JsonNode part : messageParts) {
            ObjectNode summary = proto ? A2aParts.protoSummary(part) : A2aParts.summary(part, legacy);
            total += summary.path("size").asLong();
            parts.add(summary);
            JsonNode partText = summary.get("text");
            if (partText != null) {
                text = text == null ? new StringBuilder() : text.append('\n');
                text.append(partText.textValue());
            }
        }
        out.put("partCount", parts.size());
        out.put("size", total);
        if (text != null) {
            // Agents hand a message's text parts to their model as one text: a rule on /message/text sees them so,
            // and a pattern split over two parts still matches.
            out.put("text", text.toString());
        }
        JsonNode metadata = message.get("metadata");
        if (metadata != null && metadata.isObject()) {
            out.set("metadata", metadata);
        }
        JsonNode ext = message.get("extensions");
        if (ext != null && ext.isArray()) {
            out.set("extensions", ext);
            for (JsonNode e : ext) {
                if (!e.isTextual()) {
                    // The SDK reads String(e): [["urn:admin-mode"]] is urn:admin-mode to the agent (review K), unseen by a rule.
                    throw new A2aInvalidRequest("message.extensions must hold strings (URIs), got " + e);
                }
                extensions.add(e.textValue());
            }
        }
        return out;
    }

    /**
     * A message's role as the agent reads it: a string, or the 1.0 enum's number, which the SDK accepts as ProtoJSON
     * allows (review K: {@code "role": 2} is ROLE_AGENT to it, a client's text kept as the agent's own turn, and was no
     * role at all to a rule). Any other value is refused.
     */
    private static String role(JsonNode role) throws A2aInvalidRequest {
        if (role == null || role.isNull() || role.isTextual()) {
            return role == null || role.isNull() ? null : role.textValue();
        }
        if (role.isIntegralNumber() && role.canConvertToInt() && (role.intValue() == 1 || role.intValue() == 2)) {
            return role.intValue() == 1 ? "ROLE_USER" : "ROLE_AGENT";
        }
        throw new A2aInvalidRequest("message.role must be ROLE_USER or ROLE_AGENT (user or agent in 0.3), got " + role);
    }

    /**
     * The declared skill: {@code metadata.skillId} of the message or of the request (a convention, not a field
     * of A2A). Every place and every spelling agents use is read ({@code skillId}, {@code skill_id},
     * {@code skillID}, {@code skill}); two different skills, or one that is not a string, are refused: the
     * gateway would decide on one reading while the agent may act on another.
     */
    private static String skill(ObjectNode view) throws A2aInvalidRequest {
        Set<String> declared = new LinkedHashSet<>();
        for (String where : List.of("message", "request")) {
            JsonNode metadata = where.equals("message") ? view.path("message").path("metadata") : view.path("metadata");
            for (String key : SKILL_KEYS) {
                JsonNode value = metadata.get(key);
                if (value == null || value.isNull()) {
                    continue;
                }
                if (!value.isTextual()) {
                    throw new A2aInvalidRequest("the " + where + "'s metadata." + key + " must be a string naming one skill");
                }
                declared.add(value.textValue());
            }
        }
        if (declared.size() > 1) {
            throw new A2aInvalidRequest("the request declares more than one skill " + declared + "; declare exactly one");
        }
        return declared.isEmpty() ? null : declared.iterator().next();
    }

    private static final List<String> SKILL_KEYS = List.of("skillId", "skill_id", "skillID", "skill");

    /** The snake_case ids a 0.3 JSON-RPC agent may not read (see {@link #refuseSnakeCaseIds}). */
    private static final List<String> SNAKE_CASE_IDS = List.of("task_id", "context_id", "reference_task_ids");

    /**
     * A 0.3 JSON-RPC message names its task, context and references in camelCase only: the JavaScript SDK's 0.3 layer
     * ({@code toCoreMessage}) reads {@code taskId}, {@code contextId} and {@code referenceTaskIds} and nothing else, while
     * other 0.3 agents (pydantic models populated by name) read {@code task_id} too. Refused rather than read either way
     * (review DC: {@code task_id} of the caller's own task was decided as continuing it, ownership, rules and the task
     * table's share included, while the agent started a new task and conversation with the message).
     */
    private static void refuseSnakeCaseIds(JsonNode message) throws A2aInvalidRequest {
        for (String name : SNAKE_CASE_IDS) {
            if (message.hasNonNull(name)) {
                throw new A2aInvalidRequest("a 0.3 message names " + name + ", which 0.3 agents read differently (the JavaScript SDK"
                        + " reads only " + CAMEL_OF.get(name) + "); send " + CAMEL_OF.get(name));
            }
        }
    }

    private static final Map<String, String> CAMEL_OF = Map.of("task_id", "taskId", "context_id", "contextId",
            "reference_task_ids", "referenceTaskIds");

    private static boolean isPushConfig(A2aMethod method) {
        return method == A2aMethod.CREATE_PUSH_CONFIG || method == A2aMethod.GET_PUSH_CONFIG
                || method == A2aMethod.LIST_PUSH_CONFIGS || method == A2aMethod.DELETE_PUSH_CONFIG;
    }

    /** The one task the members name (the path's first), or null; two different ones are refused. */
    private static String sameTask(String... named) throws A2aInvalidRequest {
        String task = null;
        for (String candidate : named) {
            if (candidate == null) {
                continue;
            }
            if (task != null && !task.equals(candidate)) {
                throw new A2aInvalidRequest("the push-config call names task " + task + " and task " + candidate + "; name one task");
            }
            task = candidate;
        }
        return task;
    }

    /** The task in a config's resource name {@code tasks/{task}/pushNotificationConfigs/...}, or null for any other name. */
    private static String taskOfConfigName(String name) throws A2aInvalidRequest {
        if (name == null || !name.startsWith("tasks/")) {
            return null;
        }
        int end = name.indexOf('/', "tasks/".length());
        String task = end < 0 ? name.substring("tasks/".length()) : name.substring("tasks/".length(), end);
        if (task.isEmpty()) {
            throw new A2aInvalidRequest("name " + name + " names no task");
        }
        return task;
    }

    /**
     * Every {@code url} inside a member whose name mentions push ({@code pushNotificationConfig},
     * {@code taskPushNotificationConfig}, ...), at any depth: the shapes differ between generations and SDKs,
     * and a guard that knew only some of them could be walked around.
     */
    private static void collectPushUrls(JsonNode node, boolean underPush, Set<String> out, int depth) throws A2aInvalidRequest {
        if (depth > 32) {
            return;
        }
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                boolean push = underPush || field.getKey().toLowerCase(Locale.ROOT).contains("push");
                if (push && field.getKey().equals("url")) {
                    pushUrl(field.getValue(), out);
                } else {
                    collectPushUrls(field.getValue(), push, out, depth + 1);
                }
            }
        } else if (node.isArray()) {
            for (JsonNode element : node) {
                collectPushUrls(element, underPush, out, depth + 1);
            }
        }
    }

    /**
     * Whether a send's {@code configuration} holds a push config: any member whose name mentions push
     * ({@code taskPushNotificationConfig}, {@code task_push_notification_config}, 0.3's {@code pushNotificationConfig},
     * the proto's {@code push_notification}, ...) that is not null (the SDKs read a null one as absent).
     */
    private static boolean pushConfigured(JsonNode configuration) {
        if (configuration == null || !configuration.isObject()) {
            return false;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = configuration.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (field.getKey().toLowerCase(Locale.ROOT).contains("push") && !field.getValue().isNull()) {
                return true;
            }
        }
        return false;
    }

    /** A push URL must be a string: the agent calls {@code String(url)}, so ["http://10.0.0.1/"] is that webhook. */
    private static void pushUrl(JsonNode url, Set<String> out) throws A2aInvalidRequest {
        if (url == null || url.isNull()) {
            return;
        }
        if (!url.isTextual()) {
            throw new A2aInvalidRequest("a push-notification url must be a string");
        }
        out.add(url.textValue());
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        return value != null && value.isTextual() && !value.textValue().isEmpty() ? value.textValue() : null;
    }

    private static void putText(ObjectNode node, String field, String value) {
        if (value != null) {
            node.put(field, value);
        }
    }
}
