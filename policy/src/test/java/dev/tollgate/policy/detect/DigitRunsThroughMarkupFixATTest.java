package dev.tollgate.policy.detect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Fix AT: personal data written as a run of digits (a card, an SSN, an IBAN, a phone number) split by a tag, a comment
 * or a Markdown mark reads, rendered, as the number; the rules whose trigger is a run of digits skipped the reading with
 * markup taken out, so it was not found.
 */
class DigitRunsThroughMarkupFixATTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<Finding> scan(String text) {
        ObjectNode result = JSON.createObjectNode();
        result.putArray("content").addObject().put("type", "text").put("text", "Your details: " + text + " (keep them safe).");
        return DocumentScan.scan(result, List.of(Detectors.pii(Detectors.PII_KINDS)));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
            "card|4111<b></b>1111 1111 1111",
            "card|4111<!-- -->111111111111",
            "card|4111 1111<span class=\"x\">1111</span> 1111",
            "card|4111**1111**11111111",
            "card|4111-1111-`1111`-1111",
            "ssn|123-45<i></i>-6789",
            "ssn|123<!---->-45-6789",
            "iban|DE89 3704 0044<b></b> 0532 0130 00",
            "iban|GB82 WEST<!-- -->1234 5698 7654 32",
            "iban|DE<b>89</b> 3704 0044 0532 0130 00",
            "phone|+1 415<b></b> 555 2671",
            "phone|(415) 555<!-- -->-2671",
            "nino|AB 12<b></b> 34 56 C"})
    void aNumberSplitByMarkupIsFoundAsRendered(String kind, String text) {
        List<Finding> findings = scan(text);
        assertThat(findings).as(text).anySatisfy(f -> assertThat(f.kind()).isEqualTo(kind));
    }

    /**
     * The character of context before and after a number ({@code [^0-9]}) was taken by the match it ended, so a second
     * number one character after the first was not found (and not redacted): found while fixing the windows above.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"4111111111111111 5500000000000004", "123-45-6789/123-45-6790", "4111111111111111,4111 1111 1111 1111"})
    void aNumberOneCharacterAfterAnotherIsFoundToo(String text) {
        assertThat(scan(text)).as(text).hasSize(2);
    }

    /** Digits a mark keeps apart from a number's stay apart from it: no number is made of them. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "order 12345 <b>item</b> 678",
            "4111 1111 1111 1111 1<b></b>",
            "ref 1234567890123456789012345678901234567890<b></b>4111"})
    void digitsMarkupKeepsApartAreNoNewNumber(String text) {
        assertThat(scan(text)).as(text).noneSatisfy(f -> assertThat(f.kind()).isEqualTo("card").as("%s", f));
    }
}
