package dev.tollgate.gateway.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.gateway.config.OAuthConfig;
import dev.tollgate.gateway.errors.RejectReason;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the gateway reads from an RFC 7662 introspection answer. */
class OAuthIntrospectionAnswerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final URI RESOURCE = URI.create("https://gateway.example/mcp");
    private static final URI ISSUER = URI.create("https://as.example");
    private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");
    private final OAuthIntrospection introspection = new OAuthIntrospection(new OAuthConfig(RESOURCE, ISSUER, null, List.of(), null,
            OAuthConfig.DEFAULT_CLOCK_SKEW, null, null, new OAuthConfig.Introspection(URI.create("https://as.example/introspect"), "gw", "secret"),
            null, null), Clock.systemUTC());

    private static String answer(String members) {
        return "{\"active\":true,\"iss\":\"https://as.example\",\"aud\":\"https://gateway.example/mcp\",\"exp\":" + (NOW.getEpochSecond() + 600)
                + (members.isEmpty() ? "" : "," + members) + "}";
    }

    @Test
    void extensionMembersAreClaimsAndRfc7662MembersAreNot() throws Exception {
        OAuthPrincipal principal = introspection.check(JSON.readTree(answer(
                "\"sub\":\"alice\",\"client_id\":\"app\",\"scope\":\"read write\",\"username\":\"alice@example\",\"role\":\"payroll-admin\","
                        + "\"groups\":[\"a\",\"b\"],\"level\":3,\"nested\":{\"x\":1}")), NOW);

        assertThat(principal.subject()).isEqualTo("alice");
        assertThat(principal.clientId()).isEqualTo("app");
        assertThat(principal.scopes()).containsExactly("read", "write");
        assertThat(principal.claims()).containsExactlyInAnyOrderEntriesOf(Map.of("role", "payroll-admin", "groups", List.of("a", "b"),
                "level", 3, "username", "alice@example"));
    }

    @Test
    void onlyTheJsonBooleanTrueIsActive() throws Exception {
        for (String active : List.of("\"true\"", "1", "\"yes\"", "{}", "null", "false")) {
            String members = answer("").replace("\"active\":true", "\"active\":" + active);
            assertThatThrownBy(() -> introspection.check(JSON.readTree(members), NOW)).as(active)
                    .isInstanceOfSatisfying(OAuthVerifier.Rejected.class, e -> assertThat(e.reason()).isEqualTo(RejectReason.OAUTH_TOKEN_INVALID));
        }
        assertThat(introspection.check(JSON.readTree(answer("\"sub\":\"alice\"")), NOW).subject()).isEqualTo("alice");
    }

    @Test
    void anActiveRefreshOrIdTokenIsNoAccessToken() throws Exception {
        for (String members : List.of("\"token_type\":\"refresh_token\"", "\"token_type\":\"Refresh\"", "\"typ\":\"Refresh\"",
                "\"token_type\":\"urn:ietf:params:oauth:token-type:refresh_token\"", "\"typ\":\"ID\"")) {
            assertThatThrownBy(() -> introspection.check(JSON.readTree(answer(members)), NOW)).as(members)
                    .isInstanceOfSatisfying(OAuthVerifier.Rejected.class, e -> assertThat(e.reason()).isEqualTo(RejectReason.OAUTH_TOKEN_INVALID));
        }
        for (String members : List.of("\"token_type\":\"Bearer\"", "\"token_type\":\"DPoP\"", "\"typ\":\"Bearer\"")) {
            assertThat(introspection.check(JSON.readTree(answer(members + ",\"sub\":\"alice\"")), NOW).subject()).as(members).isEqualTo("alice");
        }
    }

    @Test
    void anAnswerNamingItsUserWithAnythingButAStringIsRefused() throws Exception {
        // Read as text, {"id": 1} is "" for every such user: all of them one caller, owning each other's tasks.
        for (String members : List.of("\"sub\":{\"id\":1}", "\"sub\":42", "\"client_id\":[\"app\"]", "\"username\":{}")) {
            assertThatThrownBy(() -> introspection.check(JSON.readTree(answer(members)), NOW)).as(members)
                    .isInstanceOfSatisfying(OAuthVerifier.Rejected.class, e -> assertThat(e.reason()).isEqualTo(RejectReason.OAUTH_TOKEN_INVALID));
        }
        assertThat(introspection.check(JSON.readTree(answer("\"sub\":null")), NOW).subject()).as("null is absent").isNull();
    }
}
