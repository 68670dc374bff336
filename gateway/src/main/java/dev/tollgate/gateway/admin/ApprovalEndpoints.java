package dev.tollgate.gateway.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.approval.ApprovalNotConfirmed;
import dev.tollgate.gateway.approval.Approvals;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.io.IOException;

/**
 * {@code GET /approvals} (pending, and the most recently ended on this replica, their arguments cut short), {@code GET
 * /approvals/{id}} (held or recently ended here, else as Redis has it with a shared store), and
 * {@code POST /approvals/{id}} with {@code {"decision": "approve"|"deny", "by": "who", "reason": "why"}}: the
 * approver's side of an {@code approve} rule. Behind the admin token like every endpoint that changes state; who
 * decided is the {@code by} the approver gives, recorded with the decision on the span and in the audit record.
 */
final class ApprovalEndpoints {

    static final String PREFIX = "/approvals";
    static final int MAX_BODY_BYTES = 16 * 1024;
    private static final int MAX_TEXT = 500;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Approvals approvals;

    ApprovalEndpoints(Approvals approvals) {
        this.approvals = approvals;
    }

    void handle(HttpServerRequest request) {
        String path = request.path();
        if (approvals == null) {
            json(request, 404, error("approvals are not enabled on this gateway"));
            return;
        }
        if (path.equals(PREFIX) || path.equals(PREFIX + "/")) {
            if (request.method() != HttpMethod.GET) {
                json(request, 405, error("GET /approvals lists approvals; POST /approvals/{id} decides one"));
                return;
            }
            approvals.list().onComplete(ar -> json(request, ar.succeeded() ? 200 : 503,
                    ar.succeeded() ? ar.result() : error("approvals could not be listed: " + ar.cause().getMessage())));
            return;
        }
        String id = path.substring(PREFIX.length() + 1);
        if (id.isEmpty() || id.contains("/")) {
            json(request, 404, error("no such approval"));
            return;
        }
        if (request.method() == HttpMethod.GET) {
            approvals.lookup(id).onComplete(ar -> {
                if (ar.failed()) {
                    json(request, 503, error("approval " + id + " could not be read from Redis: " + ar.cause().getMessage()));
                } else {
                    json(request, ar.result() == null ? 404 : 200, ar.result() == null ? error("no approval " + id) : ar.result());
                }
            });
        } else if (request.method() == HttpMethod.POST) {
            decide(request, id);
        } else {
            json(request, 405, error("POST {\"decision\": \"approve\"|\"deny\", \"by\": ..., \"reason\": ...}"));
        }
    }

    private void decide(HttpServerRequest request, String id) {
        BoundedBody.read(request, MAX_BODY_BYTES).onSuccess(body -> {
            JsonNode input;
            try {
                input = JSON.readTree(body.getBytes());
            } catch (IOException e) {
                json(request, 400, error("the body is not JSON: send {\"decision\": \"approve\"|\"deny\", \"by\": ..., \"reason\": ...}"));
                return;
            }
            String decision = input == null ? "" : input.path("decision").asText("");
            String by = input == null ? "" : input.path("by").asText("").strip();
            if (!decision.equals("approve") && !decision.equals("deny")) {
                json(request, 400, error("decision is approve or deny"));
                return;
            }
            if (by.isEmpty() || by.length() > MAX_TEXT) {
                json(request, 400, error("by names who decides (1 to " + MAX_TEXT + " characters): it is recorded in the audit"));
                return;
            }
            String reason = input.hasNonNull("reason") ? input.get("reason").asText() : null;
            if (reason != null && reason.length() > MAX_TEXT) {
                json(request, 400, error("reason is at most " + MAX_TEXT + " characters"));
                return;
            }
            approvals.decide(id, decision.equals("approve"), by, reason).onComplete(ar -> {
                if (ar.failed()) {
                    json(request, 503, error(ar.cause() instanceof ApprovalNotConfirmed.NotRecorded
                            ? "the decision was not recorded (Redis did not answer in time, then confirmed nothing was decided): send it again"
                            : "outcome unknown: Redis did not answer in time; the decision took effect only if Redis ran it within"
                                    + " redis.timeout: see GET " + PREFIX + "/" + id));
                    return;
                }
                if (ar.result() instanceof Approvals.Done done) {
                    json(request, 200, done.outcome().toJson().put("id", id));
                } else if (ar.result() instanceof Approvals.AlreadyEnded ended) {
                    ObjectNode conflict = error("approval " + id + " has already ended");
                    conflict.set("decision", ended.outcome().toJson());
                    json(request, 409, conflict);
                } else if (ar.result() instanceof Approvals.Expired) {
                    json(request, 409, error("approval " + id + " is past its deadline: its on-timeout applies"));
                } else {
                    json(request, 404, error("no pending approval " + id));
                }
            });
        }).onFailure(failure -> {
            if (failure instanceof BoundedBody.TooLarge) {
                json(request, 413, error("the body is larger than " + MAX_BODY_BYTES + " bytes"));
            }
        });
    }

    private static ObjectNode error(String message) {
        return JSON.createObjectNode().put("error", message);
    }

    private static void json(HttpServerRequest request, int status, ObjectNode body) {
        request.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body.toString());
    }
}
