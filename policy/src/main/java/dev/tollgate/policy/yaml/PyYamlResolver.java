package dev.tollgate.policy.yaml;

import java.util.List;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.NodeId;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * The tag PyYAML 6 (what AGT reads its documents with, {@code yaml.safe_load}) gives a plain scalar: the YAML 1.1
 * implicit resolvers of PyYAML's {@code resolver.py}, copied regex for regex and tried in its order. They differ from
 * SnakeYAML's own (which reads {@code 1e3} as a float) and from Jackson's: a float needs a dot and a signed exponent
 * ({@code 1e4} and {@code 1.5e3} are strings), {@code 1:30} is the integer 90, {@code 017} is octal, {@code 0o17} is a
 * string, {@code yes}/{@code on} are booleans, {@code 2026-12-02} is a date, {@code =} is the value tag (which
 * {@code safe_load} cannot construct: AGT refuses the document).
 */
public final class PyYamlResolver extends Resolver {

    static final Pattern BOOL = Pattern.compile("^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$");
    static final Pattern FLOAT = Pattern.compile("^(?:[-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+][0-9]+)?"
            + "|\\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?"
            + "|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*"
            + "|[-+]?\\.(?:inf|Inf|INF)"
            + "|\\.(?:nan|NaN|NAN))$");
    static final Pattern INT = Pattern.compile("^(?:[-+]?0b[0-1_]+"
            + "|[-+]?0[0-7_]+"
            + "|[-+]?(?:0|[1-9][0-9_]*)"
            + "|[-+]?0x[0-9a-fA-F_]+"
            + "|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$");
    static final Pattern MERGE = Pattern.compile("^(?:<<)$");
    static final Pattern NULL = Pattern.compile("^(?:~|null|Null|NULL|)$");
    static final Pattern TIMESTAMP = Pattern.compile("^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"
            + "|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?"
            + "(?:[Tt]|[ \\t]+)[0-9][0-9]?"
            + ":[0-9][0-9]:[0-9][0-9](?:\\.[0-9]*)?"
            + "(?:[ \\t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$");
    static final Pattern VALUE = Pattern.compile("^(?:=)$");
    static final Tag VALUE_TAG = new Tag(Tag.PREFIX + "value");

    private record Implicit(Tag tag, Pattern pattern) {
    }

    /** In PyYAML's order (bool, float, int, merge, null, timestamp, value): the first that matches wins. */
    private static final List<Implicit> IMPLICIT = List.of(new Implicit(Tag.BOOL, BOOL), new Implicit(Tag.FLOAT, FLOAT),
            new Implicit(Tag.INT, INT), new Implicit(Tag.MERGE, MERGE), new Implicit(Tag.NULL, NULL),
            new Implicit(Tag.TIMESTAMP, TIMESTAMP), new Implicit(VALUE_TAG, VALUE));

    @Override
    protected void addImplicitResolvers() {
        // None of SnakeYAML's: resolve() below is PyYAML's.
    }

    @Override
    public Tag resolve(NodeId kind, String value, boolean implicit) {
        if (kind == NodeId.scalar && implicit) {
            for (Implicit candidate : IMPLICIT) {
                // Python's re.match with $: also before one final newline, which a plain scalar never ends with.
                if (candidate.pattern().matcher(value).matches()) {
                    return candidate.tag();
                }
            }
            return Tag.STR;
        }
        return switch (kind) {
            case scalar -> Tag.STR;
            case sequence -> Tag.SEQ;
            default -> Tag.MAP;
        };
    }
}
