package dev.tollgate.gateway.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.EnumMap;
import java.util.Map;

/**
 * The one place an admin refusal becomes an HTTP answer: status, {@code {"error", "reason"}} body,
 * {@code WWW-Authenticate} on 401, a counter per reason, and what happens to a body nobody will read.
 */
final class AdminRejects {

    static final String REALM = "Bearer realm=\"tollgate-admin\"";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<AdminReject, Counter> counters = new EnumMap<>(AdminReject.class);

    AdminRejects(MeterRegistry registry) {
        for (AdminReject reject : AdminReject.values()) {
            counters.put(reject, Counter.builder("tollgate.admin.rejects").tag("reason", reject.reason())
                    .description("Requests the admin port refused, by reason").register(registry));
        }
    }

    void respond(HttpServerRequest request, AdminReject reject) {
        counters.get(reject).increment();
        HttpServerResponse response = request.response().setStatusCode(reject.status())
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
        if (reject.status() == 401) {
            // RFC 6750 §3: error="invalid_token" only when a token was presented.
            response.putHeader("WWW-Authenticate",
                    reject == AdminReject.TOKEN_INVALID ? REALM + ", error=\"invalid_token\"" : REALM);
        }
        boolean close = BoundedBody.discardRest(request);
        if (close) {
            response.putHeader(HttpHeaders.CONNECTION, "close");
        }
        String body = JSON.createObjectNode().put("error", reject.message()).put("reason", reject.reason()).toString();
        response.end(body).onComplete(v -> {
            if (close) {
                request.connection().close();
            }
        });
    }
}
