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

    /** Review BA: a client resolves dot segments before it sends, so such a URL leads under another route of the gateway. */
    @Test
    void urlsWithDotSegmentsInAnySpellingAreNotCarried() {
        assertThat(rewriter.map("http://10.1.2.3:9000/agent/a/../../b")).isNull();
        assertThat(rewriter.map("http://10.1.2.3:9000/agent/%2e%2e/%2E%2e/b")).isNull();
        assertThat(rewriter.map("http://10.1.2.3:9000/agent/.%2E/b")).isNull();
        assertThat(rewriter.map("http://10.1.2.3:9000/agent/./rpc")).isNull();
        assertThat(rewriter.map("http://10.1.2.3:9000/agent/..rpc/a...b")).as("dots inside a segment are a name")
                .isEqualTo("https://gw.example.com/a/..rpc/a...b");
    }

    /** Review BA's suspicion: the HTTP+JSON transport writes an interface's tenant into the path after its URL. */
    @Test
    void anInterfaceWhoseTenantLeavesItsPathIsNotCarried() throws Exception {
        ObjectNode card = (ObjectNode) JSON.readTree("""
                {"supportedInterfaces":[{"url":"http://10.1.2.3:9000/agent/rest","protocolBinding":"HTTP+JSON","tenant":".."},
                 {"url":"http://10.1.2.3:9000/agent/rest","protocolBinding":"HTTP+JSON","tenant":"x/../../b"},
                 {"url":"http://10.1.2.3:9000/agent/rest","protocolBinding":"HTTP+JSON","tenant":"%2E%2e"},
                 {"url":"http://10.1.2.3:9000/agent/rest","protocolBinding":"HTTP+JSON","tenant":7},
                 {"url":"http://10.1.2.3:9000/agent/rpc","protocolBinding":"JSONRPC","tenant":"acme"}]}""");

        rewriter.rewrite(card, id -> true, null, false);

        assertThat(card.get("supportedInterfaces")).hasSize(1);
        assertThat(card.at("/supportedInterfaces/0/tenant").asText()).isEqualTo("acme");
        assertThat(card.at("/supportedInterfaces/0/url").asText()).isEqualTo("https://gw.example.com/a/rpc");
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

    /** Review AX: proto JSON readers take each list under its field's own name too; every spelling is moved or dropped. */
    @Test
    void interfacesUnderTheirProtoFieldNamesAreMovedOrDroppedToo() throws Exception {
        ObjectNode card = (ObjectNode) JSON.readTree("""
                {"supported_interfaces":[{"url":"http://10.1.2.3:9000/agent/rpc","protocol_binding":"JSONRPC"},
                                         {"url":"http://10.1.2.3:9000/agent/g","protocol_binding":"GRPC"},
                                         {"url":"http://elsewhere.example/rpc","protocol_binding":"JSONRPC"},
                                         {"url":"http://10.1.2.3:9000/agent/rpc","protocolBinding":"JSONRPC","protocol_binding":"grpc"},
                                         {"url":"http://10.1.2.3:9000/agent/rpc","protocol_binding":["JSONRPC"]}],
                 "additional_interfaces":[{"url":"http://10.1.2.3:9000/agent/rest","transport":"HTTP+JSON"},
                                          {"url":"http://elsewhere.example/rest","transport":"HTTP+JSON"}],
                 "skills":[]}""");

        assertThat(rewriter.rewrite(card, id -> true, null, false)).isTrue();

        assertThat(card.at("/supported_interfaces")).hasSize(1);
        assertThat(card.at("/supported_interfaces/0/url").asText()).isEqualTo("https://gw.example.com/a/rpc");
        assertThat(card.at("/additional_interfaces")).hasSize(1);
        assertThat(card.at("/additional_interfaces/0/url").asText()).isEqualTo("https://gw.example.com/a/rest");
    }

    /** Both spellings present (a reader takes camelCase when it is an array, else the other): each is rewritten. */
    @Test
    void bothSpellingsAreRewrittenAndAListThatIsNoArrayIsRemoved() throws Exception {
        ObjectNode card = (ObjectNode) JSON.readTree("""
                {"supportedInterfaces":{"0":{"url":"http://10.1.2.3:9000/agent/rpc"}},
                 "supported_interfaces":[{"url":"http://10.1.2.3:9000/agent/rpc","protocolBinding":"JSONRPC"}],
                 "additionalInterfaces":"http://10.1.2.3:9000/agent/rpc"}""");

        assertThat(rewriter.rewrite(card, id -> true, null, false)).isTrue();

        assertThat(card.has("supportedInterfaces")).isFalse();
        assertThat(card.has("additionalInterfaces")).isFalse();
        assertThat(card.at("/supported_interfaces/0/url").asText()).isEqualTo("https://gw.example.com/a/rpc");
    }

    /** An interface URL that is not a string is dropped: String(["http://agent/a"]) is the agent's URL to a reader. */
    @Test
    void anInterfaceUrlThatIsNoStringIsDropped() throws Exception {
        ObjectNode card = (ObjectNode) JSON.readTree("""
                {"supportedInterfaces":[{"url":["http://10.1.2.3:9000/agent/rpc"],"protocolBinding":"JSONRPC"},
                                        {"url":{"href":"http://10.1.2.3:9000/agent/rpc"},"protocolBinding":"JSONRPC"},
                                        {"url":"http://10.1.2.3:9000/agent/rpc","protocolBinding":"JSONRPC"}]}""");

        assertThat(rewriter.rewrite(card, id -> true, null, false)).isTrue();

        assertThat(card.at("/supportedInterfaces")).hasSize(1);
        assertThat(card.at("/supportedInterfaces/0/url").asText()).isEqualTo("https://gw.example.com/a/rpc");
    }

    /** Review AX: a 0.3 url that is not a string cannot be carried: it is replaced as one elsewhere is. */
    @Test
    void aLegacyUrlThatIsNoStringIsReplaced() throws Exception {
        for (String url : new String[] {"[\"http://10.1.2.3:9000/agent/rpc\"]", "{\"href\":\"http://10.1.2.3:9000/agent/rpc\"}", "7"}) {
            ObjectNode card = (ObjectNode) JSON.readTree("{\"url\":" + url + ",\"preferredTransport\":\"JSONRPC\",\"protocolVersion\":\"0.3.0\"}");

            assertThat(rewriter.rewrite(card, id -> true, null, false)).isTrue();

            assertThat(card.at("/url").isTextual()).as(url).isTrue();
            assertThat(card.at("/url").asText()).as(url).isEqualTo("https://gw.example.com/a");
        }
        ObjectNode withOthers = (ObjectNode) JSON.readTree("""
                {"url":["http://10.1.2.3:9000/agent/rpc"],"preferred_transport":"JSONRPC",
                 "additional_interfaces":[{"url":"http://10.1.2.3:9000/agent/rest","transport":"HTTP+JSON"}]}""");

        rewriter.rewrite(withOthers, id -> true, null, false);

        assertThat(withOthers.at("/url").asText()).isEqualTo("https://gw.example.com/a/rest");
        assertThat(withOthers.at("/preferredTransport").asText()).isEqualTo("HTTP+JSON");
        assertThat(withOthers.has("preferred_transport")).isFalse();
    }

    /** gRPC named in the snake_case spelling of the 0.3 preferred transport is not carried either. */
    @Test
    void aLegacyUrlPreferringGrpcInEitherSpellingIsReplaced() throws Exception {
        ObjectNode card = (ObjectNode) JSON.readTree("{\"url\":\"http://10.1.2.3:9000/agent/rpc\",\"preferred_transport\":\"GRPC\"}");

        rewriter.rewrite(card, id -> true, null, false);

        assertThat(card.at("/url").asText()).isEqualTo("https://gw.example.com/a");
        assertThat(card.at("/preferredTransport").asText()).isEqualTo("JSONRPC");
        assertThat(card.has("preferred_transport")).isFalse();
    }

    /** A card left with no interface (all elsewhere, gRPC, or none named) is reported so: it is not relayed. */
    @Test
    void aCardLeftWithNoInterfaceIsReported() throws Exception {
        ObjectNode elsewhere = (ObjectNode) JSON.readTree("""
                {"supportedInterfaces":[{"url":"http://elsewhere.example/rpc","protocolBinding":"JSONRPC"}],
                 "supported_interfaces":[{"url":"http://10.1.2.3:9000/agent/g","protocolBinding":"GRPC"}]}""");
        ObjectNode none = (ObjectNode) JSON.readTree("{\"name\":\"A\",\"supportedInterfaces\":[],\"url\":null}");
        ObjectNode control = (ObjectNode) JSON.readTree("{\"supportedInterfaces\":[{\"url\":\"http://10.1.2.3:9000/agent/rpc\"}]}");

        assertThat(rewriter.rewrite(elsewhere, id -> true, null, false)).isFalse();
        assertThat(rewriter.rewrite(none, id -> true, null, false)).isFalse();
        assertThat(rewriter.rewrite(control, id -> true, null, false)).isTrue();
    }

    /** With the gateway's security, the upstream's schemes and requirements go in their snake_case spellings too. */
    @Test
    void gatewayAuthRemovesTheUpstreamsSchemesInEverySpelling() throws Exception {
        ObjectNode card = (ObjectNode) JSON.readTree("""
                {"supported_interfaces":[{"url":"http://10.1.2.3:9000/agent/rpc","protocol_binding":"JSONRPC"}],
                 "security_schemes":{"up":{"oauth2SecurityScheme":{"flows":{"clientCredentials":{"tokenUrl":"https://idp.example/t"}}}}},
                 "security_requirements":[{"schemes":{"up":{"list":[]}}}],
                 "skills":[{"id":"a","security_requirements":[{"schemes":{"up":{"list":[]}}}]}]}""");

        rewriter.rewrite(card, id -> true, new A2aCardRewriter.GatewayAuth("tollgate-axid", "X-Waxell-AXID", true), true);

        assertThat(card.has("security_schemes")).isFalse();
        assertThat(card.has("security_requirements")).isFalse();
        assertThat(card.at("/skills/0").has("security_requirements")).isFalse();
        assertThat(card.at("/securitySchemes/tollgate-axid/apiKeySecurityScheme/name").asText()).isEqualTo("X-Waxell-AXID");
        assertThat(card.at("/securityRequirements/0/schemes/tollgate-axid/list").isArray()).isTrue();
    }
}
