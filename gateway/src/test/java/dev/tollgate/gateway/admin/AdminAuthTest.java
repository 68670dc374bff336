package dev.tollgate.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.gateway.config.AdminConfig;
import dev.tollgate.gateway.config.ListenerConfig;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The admin token rules as a table: bind address, configured token, Authorization headers sent. */
class AdminAuthTest {

    private static final String TOKEN = "0123456789abcdef0123456789abcdef";

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("the token", "127.0.0.1", TOKEN, List.of("Bearer " + TOKEN), null),
                Arguments.of("scheme is case-insensitive", "0.0.0.0", TOKEN, List.of("bEaReR  " + TOKEN + " "), null),
                Arguments.of("no header", "127.0.0.1", TOKEN, List.of(), AdminReject.TOKEN_MISSING),
                Arguments.of("Basic credentials", "127.0.0.1", TOKEN, List.of("Basic " + TOKEN), AdminReject.TOKEN_MISSING),
                Arguments.of("token without scheme", "127.0.0.1", TOKEN, List.of(TOKEN), AdminReject.TOKEN_MISSING),
                Arguments.of("empty bearer", "127.0.0.1", TOKEN, List.of("Bearer "), AdminReject.TOKEN_MISSING),
                Arguments.of("blank bearer", "127.0.0.1", TOKEN, List.of("Bearer   x"), AdminReject.TOKEN_INVALID),
                Arguments.of("wrong token", "127.0.0.1", TOKEN, List.of("Bearer " + TOKEN.substring(1)), AdminReject.TOKEN_INVALID),
                Arguments.of("token as a prefix", "127.0.0.1", TOKEN, List.of("Bearer " + TOKEN + "0"), AdminReject.TOKEN_INVALID),
                Arguments.of("two headers, one right", "127.0.0.1", TOKEN, List.of("Bearer " + TOKEN, "Bearer x"), AdminReject.TOKEN_INVALID),
                Arguments.of("no token, loopback v4", "127.0.0.1", null, List.of(), null),
                Arguments.of("no token, loopback 127/8", "127.0.0.2", null, List.of(), null),
                Arguments.of("no token, loopback v6", "::1", null, List.of(), null),
                Arguments.of("no token, loopback v6 bracketed", "[::1]", null, List.of(), null),
                Arguments.of("no token, every interface", "0.0.0.0", null, List.of(), AdminReject.TOKEN_NOT_CONFIGURED),
                Arguments.of("no token, every v6 interface", "::", null, List.of(), AdminReject.TOKEN_NOT_CONFIGURED),
                Arguments.of("no token, a name is not trusted", "localhost", null, List.of(), AdminReject.TOKEN_NOT_CONFIGURED),
                Arguments.of("no token, a private address", "10.0.0.5", null, List.of(), AdminReject.TOKEN_NOT_CONFIGURED),
                Arguments.of("no token, a bearer sent anyway", "0.0.0.0", null, List.of("Bearer " + TOKEN), AdminReject.TOKEN_NOT_CONFIGURED));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decides(String name, String host, String token, List<String> authorization, AdminReject expected) {
        AdminAuth auth = new AdminAuth(new AdminConfig(host, 9090, ListenerConfig.DEFAULT_ALLOWED_HOSTS,
                ListenerConfig.DEFAULT_ALLOWED_ORIGINS, token));

        assertThat(auth.check(authorization)).isEqualTo(Optional.ofNullable(expected));
    }
}
