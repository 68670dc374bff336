package dev.tollgate.gateway.approval;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.tollgate.gateway.config.RedisConfig;
import dev.tollgate.gateway.support.RedisServer;
import dev.tollgate.policy.Action;
import dev.tollgate.policy.ApprovalTerms;
import dev.tollgate.policy.Identity;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A person's decision Redis does not answer within {@code redis.timeout} is read back before anyone is answered: when
 * Redis answers that read, the failure says "not recorded" and the decision, run later by Redis, does nothing.
 */
class UnconfirmedDecisionTest {

    private RedisServer redis;
    private Vertx vertx;
    private RedisApprovals here;
    private RedisApprovals elsewhere;

    @BeforeEach
    void start() throws Exception {
        redis = RedisServer.start();
        vertx = Vertx.vertx();
        String prefix = "unconfirmed-" + System.nanoTime();
        here = new RedisApprovals(vertx, new RedisConfig(redis.uri(), prefix, Duration.ofSeconds(5), 4));
        // A 1 s timeout and a 1.5 s pause (not 300 ms and 450 ms): the decision must be sent within the pause's first 0.5 s
        // to time out before Redis runs it, and the read back must be answered within 1 s of the timeout, which a loaded
        // machine does; with 150 ms to spare it might not.
        elsewhere = new RedisApprovals(vertx, new RedisConfig(redis.uri(), prefix, Duration.ofSeconds(1), 4));
    }

    @AfterEach
    void stop() throws Exception {
        here.close();
        elsewhere.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        redis.close();
    }

    @Test
    void aDecisionThatTimedOutAndIsReadBackPendingIsNotRecordedAndNeverTakesEffect() throws Exception {
        PendingApproval approval = new PendingApproval("apr_unconfirmed" + System.nanoTime(), new ApprovalRequest("tools", "tools/call", "deploy",
                JsonNodeFactory.instance.objectNode(), false, Identity.ANONYMOUS, "p", "r", null),
                new ApprovalTerms(Duration.ofSeconds(30), Action.DENY, List.of(), false), Instant.now(), null, null);
        get(here.held(approval));
        get(elsewhere.pending()); // its connections are open and idle before the pause
        Thread.sleep(300);

        // Paused past the decision's 1 s timeout, but not past its read back (sent then, waiting 1 s more).
        assertThat(command("CLIENT PAUSE 1500 ALL")).isEqualTo("+OK");
        ExecutionException failed = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> get(elsewhere.decideRemote(approval.id(), new ApprovalOutcome(ApprovalOutcome.Verdict.APPROVED, "bob", null, Instant.now()), null)));

        assertThat(failed.getCause()).isInstanceOf(ApprovalNotConfirmed.NotRecorded.class);
        Thread.sleep(300);
        assertThat(get(here.read(approval.id())).path("state").asText()).isEqualTo("pending");
        assertThat(get(here.pending())).hasSize(1);
        // Sent again with Redis back, it is taken.
        assertThat(get(elsewhere.decideRemote(approval.id(), new ApprovalOutcome(ApprovalOutcome.Verdict.APPROVED, "bob", null, Instant.now()), null)))
                .isInstanceOf(Approvals.Done.class);
        assertThat(get(here.read(approval.id())).path("state").asText()).isEqualTo("approved");
    }

    private static <T> T get(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** Sends one inline command on its own connection and waits for its first reply line. */
    private String command(String line) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", redis.port())) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder reply = new StringBuilder();
            int c;
            while ((c = in.read()) != -1 && c != '\n') {
                reply.append((char) c);
            }
            return reply.toString().trim();
        }
    }
}
