package dev.tollgate.gateway.config;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/** Reads a route's {@code pinning: {manifest: pins/route.yaml, on-change: hide | audit}}. */
final class PinningReader {

    static final Set<String> FIELDS = Set.of("manifest", "on-change");

    private PinningReader() {
    }

    static PinningConfig read(NodeReader route, Path baseDir) {
        if (!route.has("pinning")) {
            return null;
        }
        NodeReader p = route.child("pinning");
        if (!p.isObject()) {
            p.problem("must be a mapping with manifest (written by tollgate pin --route <name>) and on-change (hide or audit)");
            return null;
        }
        p.rejectUnknown(FIELDS);
        String manifest = p.string("manifest", null);
        String onChange = p.string("on-change", "hide");
        PinningConfig.OnChange mode = switch (onChange.toLowerCase(Locale.ROOT)) {
            case "hide" -> PinningConfig.OnChange.HIDE;
            case "audit" -> PinningConfig.OnChange.AUDIT;
            default -> {
                p.problemAt("on-change", "must be hide (unreviewed tools are hidden and their calls denied) or audit (passed, recorded)");
                yield null;
            }
        };
        return manifest == null || mode == null ? null : new PinningConfig(baseDir.resolve(manifest).normalize(), mode);
    }
}
