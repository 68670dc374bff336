package dev.tollgate.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.reflect.Constructor;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Review BP: {@code /admin/config} served a route's static upstream credential ({@code upstreamValue}) in clear, and
 * hashed it, because secrets were found by a name pattern it did not match. This walks every record reachable from
 * {@link GatewayConfig}: each String (and byte[]/char[]) field whose name marks it a credential is given a value, and
 * the record as {@code /admin/config} shows it must not contain that value. A new credential field that LiveConfig
 * would show fails here.
 */
class LiveConfigSecretFieldsTest {

    /** Names that mark a field as holding a credential (broader than LiveConfig's own pattern, on purpose). */
    private static final Pattern SECRET_LOOKING = Pattern.compile(
            "(?i).*(secret|password|passwd|pwd|token|credential|auth|apikey|api-key|bearer|value|private|cookie|signing).*");
    /** Secret-looking names that are not secrets, and why. */
    private static final Set<String> NOT_SECRET = Set.of();

    @Test
    void everySecretLookingFieldOfTheConfigurationRecordsIsRedacted() throws Exception {
        List<Class<?>> records = new ArrayList<>(reachableRecords());
        assertThat(records).contains(GatewayConfig.class, OAuthConfig.class, OAuthConfig.Introspection.class, OAuthConfig.UpstreamGrant.class,
                AdminConfig.class, ApprovalsConfig.Webhook.class, RedisConfig.class, SessionConfig.Key.class, BudgetConfig.HttpLedger.class);
        List<String> shown = new ArrayList<>();
        List<String> checked = new ArrayList<>();
        for (Class<?> type : records) {
            RecordComponent[] components = type.getRecordComponents();
            Object[] values = new Object[components.length];
            List<String> secrets = new ArrayList<>();
            for (int i = 0; i < components.length; i++) {
                RecordComponent c = components[i];
                String sentinel = "S3NTINEL-" + type.getSimpleName() + "-" + c.getName();
                boolean secretLooking = SECRET_LOOKING.matcher(c.getName()).matches() && !NOT_SECRET.contains(c.getName());
                Class<?> t = c.getType();
                if (t == String.class) {
                    values[i] = sentinel;
                    if (secretLooking) {
                        secrets.add(sentinel);
                    }
                } else if (t == byte[].class) {
                    values[i] = sentinel.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                    secrets.add(java.util.Base64.getEncoder().encodeToString((byte[]) values[i]));
                } else if (t == char[].class) {
                    values[i] = sentinel.toCharArray();
                    secrets.add(sentinel);
                } else {
                    values[i] = defaultOf(t);
                }
            }
            if (secrets.isEmpty()) {
                continue;
            }
            Constructor<?> constructor = type.getDeclaredConstructor(java.util.Arrays.stream(components).map(RecordComponent::getType).toArray(Class[]::new));
            constructor.setAccessible(true);
            JsonNode json = LiveConfig.redacted(constructor.newInstance(values));
            for (String secret : secrets) {
                checked.add(secret);
                if (json.toString().contains(secret)) {
                    shown.add(secret + " in " + json);
                }
            }
        }
        assertThat(checked).as("the walk found the known credential fields").contains("S3NTINEL-OAuthConfig-upstreamValue",
                "S3NTINEL-AdminConfig-token", "S3NTINEL-Introspection-clientSecret", "S3NTINEL-UpstreamGrant-clientSecret",
                "S3NTINEL-Webhook-secret");
        assertThat(shown).as("credential fields /admin/config shows in clear").isEmpty();
    }

    @Test
    void aUrlsUserInfoAndCredentialQueryAreRedacted() {
        JsonNode redis = LiveConfig.redacted(new RedisConfig("redis://user:S3NTINEL-pw@redis:6379/0?password=S3NTINEL-q", "tg:",
                java.time.Duration.ofSeconds(1), 4));
        assertThat(redis.toString()).doesNotContain("S3NTINEL");
        JsonNode ledger = LiveConfig.redacted(new BudgetConfig.HttpLedger("https://u:S3NTINEL-a@ledger/spent?token=S3NTINEL-b", "/spent",
                "https://ledger/record?api_key=S3NTINEL-c", "amount"));
        assertThat(ledger.toString()).doesNotContain("S3NTINEL");
    }

    private static Set<Class<?>> reachableRecords() {
        Set<Class<?>> seen = new LinkedHashSet<>();
        walk(GatewayConfig.class, seen);
        return seen;
    }

    private static void walk(Type type, Set<Class<?>> seen) {
        if (type instanceof ParameterizedType p) {
            for (Type argument : p.getActualTypeArguments()) {
                walk(argument, seen);
            }
            walk(p.getRawType(), seen);
            return;
        }
        if (!(type instanceof Class<?> c) || !c.isRecord() || !seen.add(c)) {
            return;
        }
        for (RecordComponent component : c.getRecordComponents()) {
            walk(component.getGenericType(), seen);
        }
    }

    private static Object defaultOf(Class<?> t) {
        if (t == boolean.class) {
            return false;
        }
        if (t == int.class) {
            return 0;
        }
        if (t == long.class) {
            return 0L;
        }
        if (t == double.class) {
            return 0.0;
        }
        if (t == List.class) {
            return List.of();
        }
        if (t == Map.class) {
            return Map.of();
        }
        return null;
    }
}
