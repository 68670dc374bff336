package dev.tollgate.gateway.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.tollgate.policy.yaml.LocatedYaml;
import java.util.List;

/**
 * Validates YAML against a generated schema with a real JSON Schema 2020-12 validator (networknt, which works on
 * Jackson 3 trees: the document crosses over as JSON text). The YAML is parsed by the loaders' own parser, so
 * YAML 1.1 readings (a bare off is false) are what the schema sees, as the loader does.
 */
final class SchemaValidator {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Schema schema;

    SchemaValidator(JsonNode schema) {
        this.schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(schema.toString(), InputFormat.JSON);
    }

    /** @return one line per violation, empty when valid */
    List<String> validateYaml(String yaml) throws Exception {
        return validate(LocatedYaml.parse(yaml).root());
    }

    List<String> validate(JsonNode document) throws Exception {
        return schema.validate(JSON.writeValueAsString(document), InputFormat.JSON).stream()
                .map(e -> e.getInstanceLocation() + ": " + e.getMessage()).toList();
    }
}
