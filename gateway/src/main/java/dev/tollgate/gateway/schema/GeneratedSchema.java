package dev.tollgate.gateway.schema;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * A generated schema and the drift found while building it.
 *
 * @param drift fields the loaders accept that the generator does not describe (or the reverse); empty when in step
 */
public record GeneratedSchema(String fileName, ObjectNode schema, List<String> drift) {

    /** The schema, refusing to hand out one that no longer matches its loader. */
    public ObjectNode checked() {
        if (!drift.isEmpty()) {
            throw new IllegalStateException(fileName + " is out of step with its loader:\n  " + String.join("\n  ", drift));
        }
        return schema;
    }
}
