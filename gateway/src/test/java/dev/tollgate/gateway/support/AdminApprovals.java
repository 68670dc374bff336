package dev.tollgate.gateway.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;

/** The approvals API of a gateway's admin port, as an approver uses it: wait for a held call, approve it, ask anything. */
public final class AdminApprovals {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final TestHttp http;
    private final int adminPort;
    private final String token;

    public AdminApprovals(TestHttp http, int adminPort, String token) {
        this.http = http;
        this.adminPort = adminPort;
        this.token = token;
    }

    /** The id of a pending approval, once there is one (10 s at most). */
    public String awaitPending() {
        return await().atMost(Duration.ofSeconds(10)).until(() -> {
            JsonNode list = JSON.readTree(send(HttpMethod.GET, "/approvals", null).body().getBytes());
            for (JsonNode approval : list.isArray() ? list : list.path("pending")) {
                if ("pending".equals(approval.path("status").asText("pending")) && approval.has("id")) {
                    return approval.path("id").asText();
                }
            }
            return null;
        }, id -> id != null);
    }

    /** Approves as alice; the admin port must accept it. */
    public void approve(String id) throws Exception {
        assertThat(send(HttpMethod.POST, "/approvals/" + id, "{\"decision\":\"approve\",\"by\":\"alice\"}").status()).isEqualTo(200);
    }

    public TestHttp.Reply send(HttpMethod method, String path, String body) throws Exception {
        return http.send(new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(adminPort).setURI(path)
                .putHeader("Authorization", "Bearer " + token), body == null ? null : Buffer.buffer(body));
    }
}
