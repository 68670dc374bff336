package dev.tollgate.protocols.a2a;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import org.junit.jupiter.api.Test;

class A2aCardRewriterTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final A2aCardRewriter rewriter = new A2aCardRewriter(URI.create("http://10.1.2.3:9000/agent/"), "https://gw.example.com/a/");

    @Test
    void mapsOnlyUrlsUnderTheUpstreamBase() {
        assertThat(rewriter.map("http://10.1.2.3:9000/agent/rpc")).isEqualTo("https://gw.example.com/a/rpc");
        assertThat(rewriter.map("http://10.1.2.3:9000/agent")).isEqualTo("https://gw.example.com/a");
        assertThat(rewriter.map("HTTP://10.1.2.3:9000/agent/rest?x=1")).isEqualTo("https://gw.example.com/a/rest?x=1");
        assertThat(rewriter.map("http://10.1.2.3:9000/agentx/rpc")).isNull();
        assertThat(rewriter.map("http://10.1.2.3:9001/agent/rpc")).isNull();
        assertThat(rewriter.map("https://10.1.2.3:9000/agent/rpc")).isNull();
        assertThat(rewriter.map("not a url at all")).isNull();
    }

    @Test
    void gatewayAuthReplacesTheSchemesInBothGenerations() throws Exception {
        ObjectNode card = (ObjectNode) JSON.readTree("""
                {"url":"http://10.1.2.3:9000/agent/rpc","protocolVersion":"0.3",
                 "supportedInterfaces":[{"url":"http://10.1.2.3:9000/agent/rpc","protocolBinding":"JSONRPC"}],
                 "securitySchemes":{"up":{"type":"http","scheme":"bearer"}},"security":[{"up":[]}],
                 "skills":[{"id":"a","security":[{"up":[]}]}]}""");

        rewriter.rewrite(card, id -> true, new A2aCardRewriter.GatewayAuth("tollgate-axid", "X-Waxell-AXID", true), true);

        assertThat(card.at("/securitySchemes/up").isMissingNode()).isTrue();
        assertThat(card.at("/securitySchemes/tollgate-axid/apiKeySecurityScheme/name").asText()).isEqualTo("X-Waxell-AXID");
        assertThat(card.at("/securitySchemes/tollgate-axid/type").asText()).isEqualTo("apiKey");
        assertThat(card.at("/securitySchemes/tollgate-axid/in").asText()).isEqualTo("header");
        assertThat(card.at("/securityRequirements/0/schemes/tollgate-axid/list").isArray()).isTrue();
        assertThat(card.at("/security/0/tollgate-axid").isArray()).isTrue();
        assertThat(card.at("/skills/0").has("security")).isFalse();
        assertThat(card.at("/url").asText()).isEqualTo("https://gw.example.com/a/rpc");
    }

    @Test
    void legacyUrlThatCannotBeCarriedIsReplacedByACarriedInterface() throws Exception {
        ObjectNode card = (ObjectNode) JSON.readTree("""
                {"url":"grpc://10.1.2.3:9000","preferredTransport":"GRPC",
                 "additionalInterfaces":[{"url":"grpc://10.1.2.3:9000","transport":"GRPC"},
                                         {"url":"http://10.1.2.3:9000/agent/rest","transport":"HTTP+JSON"}]}""");

        rewriter.rewrite(card, id -> true, null, false);

        assertThat(card.at("/url").asText()).isEqualTo("https://gw.example.com/a/rest");
        assertThat(card.at("/preferredTransport").asText()).isEqualTo("HTTP+JSON");
        assertThat(card.at("/additionalInterfaces")).hasSize(1);
    }
}
