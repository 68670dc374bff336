package dev.tollgate.protocols.mcp;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The JSON Schema draft a tool's input schema is written in, as far as reading its closed sets depends on it.
 * <p>
 * Why: drafts read the same keywords differently. Up to draft-07 every keyword beside {@code $ref} is ignored (zod-to-json-schema
 * writes draft-07 by default); draft-04 has no {@code const} and names its identifier {@code id}; {@code prefixItems} exists
 * only from 2020-12. MCP 2025-11-25 reads a schema without {@code $schema} as 2020-12 (as Pydantic writes them). A
 * {@code $schema} naming anything else (a custom meta-schema, the unversioned {@code schema#}) names no known reading.
 */
enum SchemaDialect {
    DRAFT_03, DRAFT_04, DRAFT_06, DRAFT_07, DRAFT_2019_09, DRAFT_2020_12;

    /** The draft a {@code $schema} value names: the MCP default when absent, null when it names none known. */
    static SchemaDialect named(JsonNode schemaKeyword) {
        if (schemaKeyword == null) {
            return DRAFT_2020_12;
        }
        if (!schemaKeyword.isTextual()) {
            return null;
        }
        // Written with or without the empty fragment, over http or https.
        String uri = schemaKeyword.textValue().replaceFirst("^https?://", "").replaceFirst("#$", "");
        return switch (uri) {
            case "json-schema.org/draft-03/schema" -> DRAFT_03;
            case "json-schema.org/draft-04/schema" -> DRAFT_04;
            case "json-schema.org/draft-06/schema" -> DRAFT_06;
            case "json-schema.org/draft-07/schema" -> DRAFT_07;
            case "json-schema.org/draft/2019-09/schema" -> DRAFT_2019_09;
            case "json-schema.org/draft/2020-12/schema" -> DRAFT_2020_12;
            default -> null;
        };
    }

    /** Whether keywords beside {@code $ref} apply (2019-09 on); before, {@code $ref} alone is the schema. */
    boolean refSiblingsApply() {
        return compareTo(DRAFT_2019_09) >= 0;
    }

    /** The keyword naming a schema resource: {@code id} until draft-04. */
    String idKeyword() {
        return compareTo(DRAFT_04) <= 0 ? "id" : "$id";
    }

    /** Whether an identifier's fragment names the schema ({@code "$id": "#mode"}, until draft-07; later {@code $anchor}). */
    boolean fragmentIdentifiers() {
        return compareTo(DRAFT_07) <= 0;
    }

    /** Whether {@code const} is a keyword (from draft-06; before, an unknown keyword that constrains nothing). */
    boolean hasConst() {
        return compareTo(DRAFT_06) >= 0;
    }

    /** Whether {@code prefixItems} is a keyword (2020-12; before, {@code items} as a list is the tuple). */
    boolean hasPrefixItems() {
        return this == DRAFT_2020_12;
    }

    /** Whether {@code $dynamicAnchor} also names its schema for a plain {@code $ref} (2020-12). */
    boolean hasDynamicAnchors() {
        return this == DRAFT_2020_12;
    }
}
