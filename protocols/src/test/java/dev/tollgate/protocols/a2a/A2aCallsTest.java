package dev.tollgate.protocols.a2a;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class A2aCallsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static A2aCall describe(A2aMethod method, boolean legacy, String params) throws Exception {
        return A2aCalls.describe(method, method.canonicalName(), A2aCall.Binding.JSONRPC, legacy, JSON.readTree(params), null, null, "urn:h");
    }

    @Test
    void v10AndV03MessagesGiveTheSameView() throws Exception {
        A2aCall v10 = describe(A2aMethod.SEND_MESSAGE, false, """
                {"message":{"messageId":"m","role":"ROLE_USER","taskId":"t","contextId":"c","extensions":["urn:m"],
                 "parts":[{"text":"héllo"},{"raw":"AAECAw==","mediaType":"image/png","filename":"a.png"},{"url":"https://x/y"},{"data":{"a":1}}],
                 "metadata":{"skillId":"echo"}},
                 "configuration":{"taskPushNotificationConfig":{"url":"https://hooks.example.com/1"}}}""");
        A2aCall v03 = describe(A2aMethod.SEND_MESSAGE, true, """
                {"message":{"kind":"message","messageId":"m","role":"user","taskId":"t","contextId":"c","extensions":["urn:m"],
                 "parts":[{"kind":"text","text":"héllo"},{"kind":"file","file":{"bytes":"AAECAw==","mimeType":"image/png","name":"a.png"}},
                          {"kind":"file","file":{"uri":"https://x/y"}},{"kind":"data","data":{"a":1}}],
                 "metadata":{"skillId":"echo"}},
                 "configuration":{"pushNotificationConfig":{"url":"https://hooks.example.com/1"}}}""");
        for (A2aCall call : new A2aCall[] {v10, v03}) {
            assertThat(call.taskId()).isEqualTo("t");
            assertThat(call.contextId()).isEqualTo("c");
            assertThat(call.skill()).isEqualTo("echo");
            assertThat(call.pushUrl()).isEqualTo("https://hooks.example.com/1");
            JsonNode view = call.view();
            assertThat(view.at("/message/role").asText()).isEqualTo("user");
            assertThat(view.at("/message/parts")).extracting(p -> p.path("kind").asText()).containsExactly("text", "file", "file", "data");
            assertThat(view.at("/message/parts/0/size").asInt()).isEqualTo(6);
            assertThat(view.at("/message/parts/1/size").asInt()).isEqualTo(4);
            assertThat(view.at("/message/parts/1/mediaType").asText()).isEqualTo("image/png");
            assertThat(view.at("/message/parts/2/url").asText()).isEqualTo("https://x/y");
            assertThat(view.at("/message/size").asInt()).isEqualTo(6 + 4 + 0 + 7);
            assertThat(view.at("/message/parts/0/text").asText()).isEqualTo("héllo");
            assertThat(view.at("/message/parts/3/data/a").asInt()).isEqualTo(1);
            assertThat(view.at("/message/text").asText()).isEqualTo("héllo");
            assertThat(view.at("/push/url").asText()).isEqualTo("https://hooks.example.com/1");
            assertThat(view.at("/extensions")).extracting(JsonNode::asText).containsExactly("urn:h", "urn:m");
        }
        assertThat(v03.view().at("/version").asText()).isEqualTo("0.3");
        assertThat(v10.view().at("/method").asText()).isEqualTo(v03.view().at("/method").asText()).isEqualTo("SendMessage");
    }

    /**
     * A message's text is a policy input: each text part at {@code /message/parts/N/text}, and all of them at
     * {@code /message/text}, joined by newlines in the order the agent reads them, so a pattern split over two parts
     * (which agents hand their model as one text) still matches. A message without text parts has no text.
     */
    @Test
    void theMessageTextIsEveryTextPartInOrder() throws Exception {
        for (boolean legacy : new boolean[] {false, true}) {
            String kind = legacy ? "\"kind\":\"text\"," : "";
            JsonNode view = describe(A2aMethod.SEND_MESSAGE, legacy, "{\"message\":{\"messageId\":\"m\",\"parts\":[{" + kind + "\"text\":\"please DROP\"},"
                    + (legacy ? "{\"kind\":\"data\",\"data\":{\"q\":\"x\"}}" : "{\"data\":{\"q\":\"x\"}}") + ",{" + kind + "\"text\":\"TABLE users\"}]}}").view();
            assertThat(view.at("/message/text").asText()).isEqualTo("please DROP\nTABLE users");
            assertThat(view.at("/message/parts/2/text").asText()).isEqualTo("TABLE users");
            assertThat(view.at("/message/parts/1/data/q").asText()).isEqualTo("x");
            assertThat(view.at("/message/parts/1/text").isMissingNode()).isTrue();
        }
        assertThat(describe(A2aMethod.SEND_MESSAGE, false, "{\"message\":{\"messageId\":\"m\",\"parts\":[{\"url\":\"https://x/\"}]}}")
                .view().at("/message/text").isMissingNode()).isTrue();
        assertThat(protoRest("{\"message\":{\"messageId\":\"m\",\"content\":[{\"text\":\"a\"},{\"text\":\"b\"}]}}").view().at("/message/text").asText())
                .isEqualTo("a\nb");
    }

    /** The SDK reads {@code acceptedOutputModes}, else {@code accepted_output_modes}, each element as {@code String(e)}. */
    @Test
    void acceptedOutputModesAreReadUnderEitherNameAndContradictionsRefused() throws Exception {
        for (String name : List.of("acceptedOutputModes", "accepted_output_modes")) {
            JsonNode view = describe(A2aMethod.SEND_MESSAGE, false, "{\"message\":{\"messageId\":\"m\",\"parts\":[]},\"configuration\":{\""
                    + name + "\":[\"text/plain\"]}}").view();
            assertThat(view.at("/acceptedOutputModes/0").asText()).as(name).isEqualTo("text/plain");
        }
        for (String configuration : List.of("{\"acceptedOutputModes\":[\"text/plain\"],\"accepted_output_modes\":[\"image/png\"]}",
                "{\"acceptedOutputModes\":\"text/plain\"}", "{\"accepted_output_modes\":[[\"text/plain\"]]}")) {
            assertThatThrownBy(() -> describe(A2aMethod.SEND_MESSAGE, false, "{\"message\":{\"messageId\":\"m\",\"parts\":[]},\"configuration\":"
                    + configuration + "}")).as(configuration).isInstanceOf(A2aInvalidRequest.class);
        }
    }

    @Test
    void taskAndConfigIdsOfPushConfigMethods() throws Exception {
        A2aCall v10 = describe(A2aMethod.GET_PUSH_CONFIG, false, "{\"taskId\":\"t\",\"id\":\"c\"}");
        A2aCall v03 = describe(A2aMethod.GET_PUSH_CONFIG, true, "{\"id\":\"t\",\"pushNotificationConfigId\":\"c\"}");
        assertThat(v10.taskId()).isEqualTo(v03.taskId()).isEqualTo("t");
        assertThat(v10.view().at("/configId").asText()).isEqualTo(v03.view().at("/configId").asText()).isEqualTo("c");
        assertThat(describe(A2aMethod.CREATE_PUSH_CONFIG, false, "{\"taskId\":\"t\",\"url\":\"http://10.0.0.1/\"}").pushUrl()).isEqualTo("http://10.0.0.1/");
        assertThat(describe(A2aMethod.CREATE_PUSH_CONFIG, true, "{\"taskId\":\"t\",\"pushNotificationConfig\":{\"url\":\"http://10.0.0.2/\"}}").pushUrl())
                .isEqualTo("http://10.0.0.2/");
        assertThat(describe(A2aMethod.CANCEL_TASK, false, "{\"id\":\"t9\"}").taskId()).isEqualTo("t9");
    }

    @Test
    void refusesWhatCouldFoolARule() {
        assertThatThrownBy(() -> describe(A2aMethod.CREATE_PUSH_CONFIG, false,
                "{\"url\":\"https://hooks.example.com/\",\"pushNotificationConfig\":{\"url\":\"http://169.254.169.254/\"}}"))
                .isInstanceOf(A2aInvalidRequest.class).hasMessageContaining("more than one push-notification URL");
        assertThatThrownBy(() -> describe(A2aMethod.SEND_MESSAGE, false, "{}")).isInstanceOf(A2aInvalidRequest.class);
        assertThatThrownBy(() -> describe(A2aMethod.GET_TASK, false, "[]")).isInstanceOf(A2aInvalidRequest.class);
    }

    /** Ids as the JavaScript SDK reads them: taskId, else task_id (a null member is absent); every referenced task. */
    @Test
    void idsAreReadUnderEitherNameAsTheAgentReadsThem() throws Exception {
        A2aCall snake = describe(A2aMethod.SEND_MESSAGE, false, """
                {"message":{"messageId":"m","role":"ROLE_USER","parts":[],"taskId":null,"task_id":"t","context_id":"c",
                 "reference_task_ids":["r1","r2"]}}""");
        assertThat(snake.taskId()).isEqualTo("t");
        assertThat(snake.contextId()).isEqualTo("c");
        assertThat(snake.referenceTaskIds()).containsExactly("r1", "r2");
        assertThat(snake.view().at("/referenceTaskIds")).extracting(JsonNode::asText).containsExactly("r1", "r2");
        assertThat(describe(A2aMethod.SEND_MESSAGE, false, """
                {"message":{"messageId":"m","role":"ROLE_USER","parts":[],"taskId":"t","task_id":"t"}}""").taskId()).isEqualTo("t");
        assertThat(describe(A2aMethod.DELETE_PUSH_CONFIG, false, "{\"task_id\":\"t\",\"id\":\"c\"}").taskId()).isEqualTo("t");
        assertThat(describe(A2aMethod.LIST_TASKS, false, "{\"context_id\":\"c\"}").contextId()).isEqualTo("c");
    }

    @Test
    void refusesIdsAnAgentCouldReadAsAnotherValue() {
        for (String[] c : new String[][] {
                {"GET_TASK", "{\"id\":[\"t\"]}"}, {"CANCEL_TASK", "{\"id\":7}"}, {"SUBSCRIBE_TO_TASK", "{\"id\":\"\"}"},
                {"GET_PUSH_CONFIG", "{\"taskId\":[\"t\"],\"id\":\"c\"}"}, {"LIST_TASKS", "{\"contextId\":{}}"},
                {"SEND_MESSAGE", "{\"message\":{\"messageId\":\"m\",\"parts\":[],\"taskId\":\"a\",\"task_id\":\"b\"}}"},
                {"SEND_MESSAGE", "{\"message\":{\"messageId\":[\"m\"],\"parts\":[]}}"},
                {"SEND_MESSAGE", "{\"message\":{\"messageId\":\"m\",\"parts\":[],\"referenceTaskIds\":\"t\"}}"},
                {"SEND_MESSAGE", "{\"message\":{\"messageId\":\"m\",\"parts\":[],\"referenceTaskIds\":[1]}}"},
                {"SEND_MESSAGE", "{\"message\":{\"messageId\":\"m\",\"parts\":[],\"referenceTaskIds\":[\"a\"],\"reference_task_ids\":[\"b\"]}}"},
                {"CREATE_PUSH_CONFIG", "{\"taskId\":\"t\",\"url\":[\"http://10.0.0.1/\"]}"},
                {"SEND_MESSAGE", "{\"message\":{\"messageId\":\"m\",\"parts\":[]},\"configuration\":{\"task_push_notification_config\":{\"url\":{}}}}"}}) {
            assertThatThrownBy(() -> describe(A2aMethod.valueOf(c[0]), false, c[1])).as(c[1]).isInstanceOf(A2aInvalidRequest.class);
        }
    }

    /** 1.0: the first content member that is not null, in the order text, raw, url, data; 0.3: the kind. */
    @Test
    void partsAreReadAsTheAgentReadsThemAndContradictionsRefused() throws Exception {
        JsonNode url = describe(A2aMethod.SEND_MESSAGE, false, """
                {"message":{"messageId":"m","parts":[{"text":null,"url":"http://169.254.169.254/","media_type":"text/html"}]}}""").view();
        assertThat(url.at("/message/parts/0/kind").asText()).isEqualTo("file");
        assertThat(url.at("/message/parts/0/url").asText()).isEqualTo("http://169.254.169.254/");
        assertThat(url.at("/message/parts/0/mediaType").asText()).isEqualTo("text/html");
        for (String parts : new String[] {
                "[{\"text\":\"hi\",\"url\":\"http://x/\"}]", "[{\"raw\":\"AA==\",\"data\":{}}]",
                "[{\"kind\":\"file\",\"text\":\"hello\",\"file\":{\"uri\":\"http://x/\"}}]",
                "[{\"kind\":\"text\",\"file\":{\"uri\":\"http://x/\"}}]", "[{\"kind\":\"file\",\"url\":\"http://x/\"}]",
                "[{\"kind\":7,\"text\":\"hi\"}]", "[{\"kind\":\"file\",\"file\":{\"bytes\":\"AA==\",\"uri\":\"http://x/\"}}]",
                "[{\"url\":[\"http://x/\"]}]", "[{\"text\":[\"a long text\"]}]", "[\"hi\"]"}) {
            assertThatThrownBy(() -> describe(A2aMethod.SEND_MESSAGE, false, "{\"message\":{\"messageId\":\"m\",\"parts\":" + parts + "}}"))
                    .as(parts).isInstanceOf(A2aInvalidRequest.class);
        }
    }

    private static A2aCall protoRest(String params) throws Exception {
        return A2aCalls.describe(A2aMethod.SEND_MESSAGE, "message:send", A2aCall.Binding.HTTP_JSON, true, JSON.readTree(params), null, null, null);
    }

    /**
     * The 0.3 HTTP+JSON binding's proto JSON, as the SDK's LegacyRestTransport sends it and its 0.3 REST server reads it:
     * the message's parts are {@code content}, a file is {@code {fileWithUri | fileWithBytes, mimeType}}, data is wrapped
     * once more. It gives the view 1.0 and 0.3 JSON-RPC messages give.
     */
    @Test
    void theV03RestProtoFormGivesTheSameView() throws Exception {
        A2aCall proto = protoRest("""
                {"message":{"messageId":"m","role":"ROLE_USER","taskId":"t","contextId":"c","extensions":["urn:m"],
                 "content":[{"text":"héllo"},{"file":{"fileWithBytes":"AAECAw==","mimeType":"image/png"}},{"file":{"file_with_uri":"https://x/y"}},
                            {"data":{"data":{"a":1}}}],
                 "metadata":{"skillId":"echo"}},
                 "configuration":{"pushNotification":{"url":"https://hooks.example.com/1"}}}""");
        assertThat(proto.taskId()).isEqualTo("t");
        assertThat(proto.contextId()).isEqualTo("c");
        assertThat(proto.skill()).isEqualTo("echo");
        assertThat(proto.pushUrl()).isEqualTo("https://hooks.example.com/1");
        JsonNode view = proto.view();
        assertThat(view.at("/version").asText()).isEqualTo("0.3");
        assertThat(view.at("/message/role").asText()).isEqualTo("user");
        assertThat(view.at("/message/parts")).extracting(p -> p.path("kind").asText()).containsExactly("text", "file", "file", "data");
        assertThat(view.at("/message/parts/0/size").asInt()).isEqualTo(6);
        assertThat(view.at("/message/parts/1/size").asInt()).isEqualTo(4);
        assertThat(view.at("/message/parts/1/mediaType").asText()).isEqualTo("image/png");
        assertThat(view.at("/message/parts/2/url").asText()).isEqualTo("https://x/y");
        assertThat(view.at("/message/parts/3/size").asInt()).isEqualTo(7);
        assertThat(view.at("/message/parts/0/text").asText()).isEqualTo("héllo");
        assertThat(view.at("/message/parts/3/data").toString()).as("the struct the agent reads, unwrapped").isEqualTo("{\"a\":1}");
        assertThat(view.at("/message/text").asText()).isEqualTo("héllo");
        assertThat(protoRest("{\"message\":{\"messageId\":\"m\"}}").view().at("/message/partCount").asInt())
                .as("no content: an empty message, as the agent reads it").isZero();
    }

    /**
     * What that agent would read otherwise than the gateway is refused: parts it ignores (a rule would decide on them),
     * the proto field name request beside message, two content members or two file sources (it reads the first), and
     * content of the wrong type. On the 1.0 and 0.3 JSON-RPC bindings content stays refused.
     */
    @Test
    void theV03RestProtoFormRefusesWhatItsAgentReadsOtherwise() throws Exception {
        for (String params : new String[] {
                "{\"message\":{\"messageId\":\"m\",\"parts\":[{\"text\":\"hi\"}],\"content\":[{\"text\":\"other\"}]}}",
                "{\"message\":{\"messageId\":\"m\",\"parts\":[{\"text\":\"hi\"}]}}",
                "{\"message\":{\"messageId\":\"m\",\"content\":[]},\"request\":{\"messageId\":\"m\",\"content\":[{\"text\":\"hi\"}]}}",
                "{\"request\":{\"messageId\":\"m\",\"content\":[{\"text\":\"hi\"}]}}",
                "{\"message\":{\"messageId\":\"m\",\"content\":[{\"text\":\"hi\",\"file\":{\"fileWithUri\":\"http://x/\"}}]}}",
                "{\"message\":{\"messageId\":\"m\",\"content\":[{\"file\":{\"fileWithUri\":\"http://x/\",\"fileWithBytes\":\"AA==\"}}]}}",
                "{\"message\":{\"messageId\":\"m\",\"content\":[{\"file\":{\"fileWithUri\":\"http://x/\",\"file_with_uri\":\"http://y/\"}}]}}",
                "{\"message\":{\"messageId\":\"m\",\"content\":[{\"file\":{\"fileWithUri\":[\"http://x/\"]}}]}}",
                "{\"message\":{\"messageId\":\"m\",\"content\":[{\"text\":[\"hi\"]}]}}",
                "{\"message\":{\"messageId\":\"m\",\"content\":[{\"data\":\"x\"}]}}",
                "{\"message\":{\"messageId\":\"m\",\"content\":{\"text\":\"hi\"}}}",
                "{\"message\":{\"messageId\":\"m\",\"taskId\":\"a\",\"task_id\":\"b\",\"content\":[]}}"}) {
            assertThatThrownBy(() -> protoRest(params)).as(params).isInstanceOf(A2aInvalidRequest.class);
        }
        assertThatThrownBy(() -> describe(A2aMethod.SEND_MESSAGE, true, "{\"message\":{\"messageId\":\"m\",\"content\":[{\"text\":\"hi\"}]}}"))
                .isInstanceOf(A2aInvalidRequest.class);
        assertThatThrownBy(() -> A2aCalls.describe(A2aMethod.SEND_MESSAGE, "message:send", A2aCall.Binding.HTTP_JSON, false,
                JSON.readTree("{\"message\":{\"messageId\":\"m\",\"parts\":[],\"content\":[{\"text\":\"hi\"}]}}"), null, null, null))
                .isInstanceOf(A2aInvalidRequest.class);
    }

    @Test
    void bothExtensionHeadersMustNameTheSameExtensions() throws Exception {
        assertThat(A2aHeaders.requestedExtensions(List.of("urn:a, urn:b"), List.of("urn:b,urn:a"))).containsExactly("urn:a", "urn:b");
        assertThat(A2aHeaders.requestedExtensions(List.of("urn:a", "urn:b"), List.of())).containsExactly("urn:a", "urn:b");
        assertThat(A2aHeaders.requestedExtensions(List.of(), List.of("urn:c"))).containsExactly("urn:c");
        assertThatThrownBy(() -> A2aHeaders.requestedExtensions(List.of("urn:ok"), List.of("urn:admin-mode")))
                .isInstanceOf(A2aHeaderMismatch.class);
        assertThatThrownBy(() -> A2aHeaders.requestedExtensions(List.of("urn:admin-mode"), List.of("")))
                .isInstanceOf(A2aHeaderMismatch.class);
    }

    /** Review K: what the JavaScript SDK reads otherwise than a rule would: enum-number roles, non-string extensions, compat data parts. */
    @Test
    void rolesExtensionsAndCompatDataPartsAreReadAsTheSdkReadsThem() throws Exception {
        String parts = "\"parts\":[{\"text\":\"hi\"}]";
        assertThat(describe(A2aMethod.SEND_MESSAGE, false, "{\"message\":{\"messageId\":\"m\",\"role\":2," + parts + "}}").view()
                .at("/message/role").asText()).isEqualTo("agent");
        assertThat(describe(A2aMethod.SEND_MESSAGE, false, "{\"message\":{\"messageId\":\"m\",\"role\":1," + parts + "}}").view()
                .at("/message/role").asText()).isEqualTo("user");
        for (String role : new String[] {"0", "3", "2.0", "true", "[\"ROLE_AGENT\"]", "{}"}) {
            assertThatThrownBy(() -> describe(A2aMethod.SEND_MESSAGE, false, "{\"message\":{\"messageId\":\"m\",\"role\":" + role + "," + parts + "}}"))
                    .as(role).isInstanceOf(A2aInvalidRequest.class).hasMessageContaining("role");
        }
        for (String extension : new String[] {"[\"urn:admin-mode\"]", "42", "null", "{\"uri\":\"urn:x\"}"}) {
            assertThatThrownBy(() -> describe(A2aMethod.SEND_MESSAGE, false, "{\"message\":{\"messageId\":\"m\",\"extensions\":[" + extension + "]," + parts + "}}"))
                    .as(extension).isInstanceOf(A2aInvalidRequest.class).hasMessageContaining("extensions");
        }
        String compat = "{\"message\":{\"kind\":\"message\",\"messageId\":\"m\",\"role\":\"user\",\"parts\":[{\"kind\":\"data\","
                + "\"data\":{\"value\":{\"action\":\"delete\"}},\"metadata\":{\"data_part_compat\":%s}}]}}";
        assertThat(describe(A2aMethod.SEND_MESSAGE, true, compat.formatted("true")).view().at("/message/parts/0/data/action").asText()).isEqualTo("delete");
        assertThat(describe(A2aMethod.SEND_MESSAGE, true, compat.formatted("\"true\"")).view().at("/message/parts/0/data/value/action").asText())
                .as("only the boolean true unwraps, as the SDK's === true").isEqualTo("delete");
        String in10 = "{\"message\":{\"messageId\":\"m\",\"role\":\"ROLE_USER\",\"parts\":[{\"kind\":\"data\","
                + "\"data\":{\"value\":{\"note\":\"hi\"},\"action\":\"delete\"},\"metadata\":{\"data_part_compat\":true}}]}}";
        assertThat(describe(A2aMethod.SEND_MESSAGE, false, in10).view().at("/message/parts/0/data/action").asText())
                .as("1.0 reads data as sent (review L)").isEqualTo("delete");
    }

    /**
     * Review DC: the JavaScript SDK's 0.3 JSON-RPC layer reads a message's and a configuration's camelCase names only, so a
     * snake_case one (which the 1.0 reader, and this gateway for 1.0, take when the camelCase one is absent) is refused on 0.3
     * rather than decided on; 1.0 still reads it.
     */
    @Test
    void v03JsonRpcSnakeCaseIdsAndModesAreRefused() throws Exception {
        String message = "{\"kind\":\"message\",\"messageId\":\"m\",\"role\":\"user\",\"parts\":[],";
        for (String member : List.of("\"task_id\":\"t-1\"", "\"context_id\":\"c-1\"", "\"reference_task_ids\":[\"t-1\"]")) {
            assertThatThrownBy(() -> describe(A2aMethod.SEND_MESSAGE, true, "{\"message\":" + message + member + "}}"))
                    .as(member).isInstanceOf(A2aInvalidRequest.class).hasMessageContaining("0.3");
        }
        assertThatThrownBy(() -> describe(A2aMethod.SEND_MESSAGE, true, "{\"message\":" + message.replaceAll(",$", "")
                + "},\"configuration\":{\"accepted_output_modes\":[\"text/plain\"]}}"))
                .isInstanceOf(A2aInvalidRequest.class).hasMessageContaining("acceptedOutputModes");
        assertThat(describe(A2aMethod.SEND_MESSAGE, true, "{\"message\":" + message + "\"taskId\":\"t-1\",\"task_id\":null}}").taskId())
                .isEqualTo("t-1");
        assertThat(describe(A2aMethod.SEND_MESSAGE, false, "{\"message\":{\"messageId\":\"m\",\"parts\":[],\"task_id\":\"t-1\"}}").taskId())
                .as("1.0 reads task_id").isEqualTo("t-1");
    }
}
