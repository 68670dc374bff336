package dev.tollgate.gateway.audit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * An A2A push URL is recorded in the clear whatever {@code audit.arguments} says (where the agent will send the task's
 * updates is what an investigator asks), but not the credentials a URL may carry (review AN): the webhook token in a
 * query, user info, a fragment.
 */
class A2aAuditPushUrlTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "https://hooks.example/t?token=s3cret | https://hooks.example/t?\u2026",
            "https://bob:pw@hooks.example:8443/t | https://\u2026@hooks.example:8443/t",
            "https://bob:p@ss@hooks.example/t#k=v | https://\u2026@hooks.example/t#\u2026",
            "https://hooks.example/a@b?x=1#y | https://hooks.example/a@b?\u2026",
            "https://hooks.example#?tok | https://hooks.example#\u2026",
            "https://hooks.example/path/only | https://hooks.example/path/only",
            "not a url ?token=1 | not a url ?\u2026",
    })
    void aPushUrlIsRecordedWithoutWhatMayBeACredential(String url, String recorded) {
        assertThat(A2aAuditFields.withoutSecrets(url)).isEqualTo(recorded).doesNotContain("s3cret", "pw", "token=", "k=v");
    }
}
