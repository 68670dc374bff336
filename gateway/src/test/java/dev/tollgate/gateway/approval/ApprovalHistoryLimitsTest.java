package dev.tollgate.gateway.approval;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.gateway.config.ApprovalsConfig;
import dev.tollgate.policy.Action;
import dev.tollgate.policy.ApprovalTerms;
import dev.tollgate.policy.Identity;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Ended approvals keep no arguments tree, only bounded text, and {@code GET /approvals} lists a bounded number of them. */
class ApprovalHistoryLimitsTest {

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void endedApprovalsKeepArgumentsAsBoundedTextAndTheListingShowsTheMostRecentOnly() throws Exception {
        Approvals approvals = new Approvals(vertx, ApprovalsConfig.DEFAULT, "http://127.0.0.1:1", null, new SimpleMeterRegistry());
        ObjectNode arguments = JsonNodeFactory.instance.objectNode().put("cluster", "prod-eu");
        ArrayNode padding = arguments.putArray("x");
        for (int i = 0; i < 5000; i++) {
            padding.addObject();
        }
        List<PendingApproval> held = new ArrayList<>();
        for (int i = 0; i < Approvals.MAX_RECENT_LISTED + 10; i++) {
            held.add(approvals.hold(new ApprovalRequest("tools", "tools/call", "deploy", arguments, false, Identity.ANONYMOUS, "p", "r", null),
                    new ApprovalTerms(Duration.ofMinutes(5), Action.DENY, List.of(), false)));
        }
        // While held, approvers see the arguments as they are.
        assertThat(approvals.find(held.get(0).id()).request().arguments()).isSameAs(arguments);
        held.forEach(approvals::cancel);

        ObjectNode listed = approvals.list().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(listed.path("recent").size()).isEqualTo(Approvals.MAX_RECENT_LISTED);
        assertThat(listed.path("recent").get(0).path("id").asText()).isEqualTo(held.get(held.size() - 1).id());
        // The oldest is no longer listed, but still found by id, with its ending.
        PendingApproval oldest = approvals.find(held.get(0).id());
        assertThat(oldest.ended().verdict()).isEqualTo(ApprovalOutcome.Verdict.CANCELLED);
        JsonNode kept = oldest.request().arguments();
        assertThat(kept.isTextual()).isTrue();
        assertThat(kept.textValue()).startsWith("{\"cluster\":\"prod-eu\",\"x\":[{},{}").endsWith("(cut: " + arguments.toString().length() + " characters)");
        assertThat(kept.textValue().length()).isLessThan(Approvals.MAX_ENDED_ARGUMENT_CHARS + 40);
        assertThat(oldest.toJson().path("state").asText()).isEqualTo("cancelled");
    }

    @Test
    void shortArgumentsAreKeptWhole() {
        ObjectNode arguments = JsonNodeFactory.instance.objectNode().put("cluster", "prod-eu");
        ApprovalRequest request = new ApprovalRequest("tools", "tools/call", "deploy", arguments, false, Identity.ANONYMOUS, "p", "r", null);
        assertThat(request.withArgumentsCut(Approvals.MAX_ENDED_ARGUMENT_CHARS).arguments().textValue()).isEqualTo("{\"cluster\":\"prod-eu\"}");
        ApprovalRequest none = new ApprovalRequest("tools", "tools/call", "deploy", null, false, Identity.ANONYMOUS, "p", "r", null);
        assertThat(none.withArgumentsCut(10).arguments()).isNull();
    }
}
