package dev.tollgate.policy.condition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class GlobTest {

    static Stream<Arguments> plain() {
        return Stream.of(
                Arguments.of("literal", "read_file", "read_file", true),
                Arguments.of("literal mismatch", "read_file", "read_files", false),
                Arguments.of("prefix", "shell_*", "shell_exec", true),
                Arguments.of("suffix", "*_admin", "drop_admin", true),
                Arguments.of("suffix mismatch", "*_admin", "drop_admins", false),
                Arguments.of("star matches empty", "a*b", "ab", true),
                Arguments.of("middle segment", "a*mid*z", "a--mid--z", true),
                Arguments.of("middle segment missing", "a*mid*z", "a--mi--z", false),
                Arguments.of("segments may not overlap", "ab*ba", "aba", false),
                Arguments.of("leftmost middle leaves room", "*ab*ab*", "xabyab", true),
                Arguments.of("double star is a star", "a**b", "axxb", true),
                Arguments.of("only stars", "**", "", true),
                Arguments.of("question mark one char", "shell_exe?", "shell_exec", true),
                Arguments.of("question mark needs a char", "shell_exe?", "shell_exe", false),
                Arguments.of("question mark in a middle segment", "*a?c*", "xxabcxx", true),
                Arguments.of("question mark in last segment", "*.?s", "index.js", true),
                Arguments.of("star crosses slash in plain mode", "resources/*", "resources/a/b", true),
                Arguments.of("star crosses newline", "a*b", "a\nb", true),
                Arguments.of("regex characters are literal", "a.c*", "abcd", false),
                Arguments.of("regex characters are literal, matching", "a.c*", "a.cd", true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("plain")
    void plainGlob(String name, String glob, String value, boolean matches) {
        assertThat(Glob.of(glob).matches(value)).as(name).isEqualTo(matches);
    }

    static Stream<Arguments> path() {
        return Stream.of(
                Arguments.of("one segment", "spiffe://prod/agents/*", "spiffe://prod/agents/planner", true),
                Arguments.of("star stays in its segment", "spiffe://prod/agents/*", "spiffe://prod/agents/a/b", false),
                Arguments.of("double star crosses", "spiffe://prod/**", "spiffe://prod/agents/a/b", true),
                Arguments.of("question mark is not a slash", "spiffe://prod/a?b", "spiffe://prod/a/b", false),
                Arguments.of("dot is literal", "spiffe://prod.example/*", "spiffe://prodXexample/a", false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("path")
    void pathGlob(String name, String glob, String value, boolean matches) {
        assertThat(Glob.path(glob).matches(value)).as(name).isEqualTo(matches);
    }

    @Test
    void manyStarsOnALongNameAnswerAtOnce() {
        // As a java.util.regex (.*a.*a...b) this backtracks in time polynomial of degree 9 in the name's length.
        Glob glob = Glob.of("*a*a*a*a*a*a*a*a*b");
        String name = "a".repeat(20_000);

        boolean matched = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> glob.matches(name));

        assertThat(matched).isFalse();
        assertThat(glob.matches(name + "b")).isTrue();
    }

    @Test
    void manyStarsOnALongSpiffeIdAnswerAtOnce() {
        Glob glob = Glob.path("spiffe://**a**a**a**a**a**a**b");
        String id = "spiffe://" + "a/".repeat(10_000);

        assertThat(assertTimeoutPreemptively(Duration.ofSeconds(5), () -> glob.matches(id))).isFalse();
    }
}
