package dev.tollgate.policy.condition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Lookbehinds as Python 3.11's re compiles them: fixed width loads, variable width is refused (re.error in AGT). */
class LookbehindWidthTest {

    @ParameterizedTest
    @ValueSource(strings = {"(?<=token=)\\w+", "(?<=ab|cd)x", "(?<!\\d{3})x", "(?<=[a-z]{2}\\.)x", "(?<=(?:ab|cd)e)x",
            "(?<=a(?=b)c)x", "(?<=\\bkey=)x", "(?<=x{2,2})y", "(?<=\\x41\\u0042)c", "(?<=(?P<k>ab))c"})
    void fixedWidthLookbehindsLoad(String pattern) {
        assertThat(PythonRegex.compile(pattern)).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"(?<=token=|apikey=)\\w+", "(?<!a+)b", "(?<=a{1,3})b", "(?<=ab?)c", "(?<=(?:a|bc))d", "(?<=a*)b",
            "x(?<=(a|bb)c)", "(?<=a{,})b|c"})
    void variableWidthLookbehindsAreRefusedAsPythonRefusesThem(String pattern) {
        assertThatThrownBy(() -> PythonRegex.compile(pattern)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("look-behind requires fixed-width pattern");
    }
}
