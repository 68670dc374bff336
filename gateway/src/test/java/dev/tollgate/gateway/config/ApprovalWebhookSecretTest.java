package dev.tollgate.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A webhook {@code secret} that reads as empty (an environment variable set to nothing) is refused at load: deliveries
 * would go unsigned though the operator asked for them to be signed (review AA, noted). Leaving {@code secret} out still
 * means unsigned deliveries.
 */
class ApprovalWebhookSecretTest {

    private static final String YAML = """
            listeners: [{name: public, host: 127.0.0.1, port: 0}]
            approvals:
              webhook: {url: "https://approver.example/hook"%s}
            routes:
              - {name: r, path: /mcp, protocol: mcp, upstream: "http://127.0.0.1:9"}
            """;

    @Test
    void anEmptySecretIsALocatedError() {
        assertThatThrownBy(() -> ConfigLoader.parse(YAML.formatted(", secret: \"${APPROVAL_WEBHOOK_SECRET}\""), "g.yaml",
                Map.of("APPROVAL_WEBHOOK_SECRET", "")))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).anySatisfy(p -> {
                    assertThat(p.field()).isEqualTo("approvals.webhook.secret");
                    assertThat(p.message()).contains("is empty");
                }));
    }

    @Test
    void aSecretOrNoneAtAllLoads() throws Exception {
        assertThat(ConfigLoader.parse(YAML.formatted(", secret: \"${APPROVAL_WEBHOOK_SECRET}\""), "g.yaml",
                Map.of("APPROVAL_WEBHOOK_SECRET", "s3cret")).approvals().webhook().secret()).isEqualTo("s3cret");
        assertThat(ConfigLoader.parse(YAML.formatted(""), "g.yaml", Map.of()).approvals().webhook().secret()).isNull();
    }
}
