package dev.tollgate.gateway.review;

/**
 * Review BA: fix Q's tail reading (ShownTexts.readTail, used by ResultPolicing#keepTails) attacked with a padding the
 * detectors read as spaces but the tail keeps as written: a run of TAG SPACE characters (U+E0020). TextView reads a run
 * of tag characters as the ASCII it encodes ("ASCII smuggling"), so 600 tag spaces inside one chunk read as 600 spaces and
 * the phrase matches; readTail keeps a tag run as it is (never collapsed, two UTF-16 units each), so the first half of a
 * phrase followed by 600 tag spaces is cut out of the 256-character tail joined to the next chunk. The @a2a-js/sdk
 * client receives both chunks, appended.
 *
 * <p>Review AX's stream, fixture and controls, with this padding.
 */
class TagPaddedArtifactChunksReviewBATest extends PaddedArtifactChunksReviewAXTest {

    /** 600 U+E0020 TAG SPACE, JSON-escaped (the agent writes them into its JSON as escapes). */
    @Override
    String pad() {
        return "\\udb40\\udc20".repeat(600);
    }
}
