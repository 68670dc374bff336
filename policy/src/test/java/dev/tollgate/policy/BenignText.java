package dev.tollgate.policy;

import java.util.SplittableRandom;

/**
 * Seeded, ordinary arguments: English prose and JSON of the kind agents send (a request for a summary, a
 * product record), with nothing a governance rule should object to. Shared by the tests and the ATR benchmark
 * in load-tests, so both decide on the same inputs.
 */
public final class BenignText {

    private static final String[] WORDS = ("the quarterly report shows steady growth in the northern region while costs "
            + "stayed flat please summarise the main findings for the team meeting on thursday and list three "
            + "questions we should ask the vendor about delivery times our customers asked about the new pricing "
            + "page which launched last week with a cleaner layout and fewer steps sales in march were "
            + "higher than expected because of the spring campaign and the marketing budget for next year is still "
            + "under review by finance can you draft a short friendly email to the warehouse thanking them for the "
            + "extra shifts during the holiday rush weather permitting the offsite will take place near the lake "
            + "with lunch provided and a walk in the afternoon").split(" ");

    private BenignText() {
    }

    /** About {@code chars} characters of prose, sentence-cased with full stops and commas. */
    public static String prose(int chars, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        StringBuilder out = new StringBuilder(chars + 16);
        boolean sentenceStart = true;
        while (out.length() < chars) {
            String word = WORDS[random.nextInt(WORDS.length)];
            if (sentenceStart) {
                word = Character.toUpperCase(word.charAt(0)) + word.substring(1);
            }
            out.append(word);
            int r = random.nextInt(12);
            sentenceStart = r == 0;
            out.append(r == 0 ? ". " : r == 1 ? ", " : " ");
        }
        out.setLength(chars);
        return out.toString();
    }

    /** About {@code chars} characters of a JSON object with string, number and boolean fields. */
    public static String json(int chars, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        StringBuilder out = new StringBuilder(chars + 64).append('{');
        int field = 0;
        while (out.length() < chars - 40) {
            if (field > 0) {
                out.append(',');
            }
            switch (field % 3) {
                case 0 -> out.append("\"note_").append(field).append("\":\"")
                        .append(prose(20 + random.nextInt(60), random.nextLong()).replace('"', '\'')).append('"');
                case 1 -> out.append("\"amount_").append(field).append("\":").append(random.nextInt(100_000) / 100.0);
                default -> out.append("\"active_").append(field).append("\":").append(random.nextBoolean());
            }
            field++;
        }
        return out.append('}').toString();
    }
}
