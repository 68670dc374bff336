#!/usr/bin/env python3
"""Golden decisions of AGT 5.0.0's own PolicyEvaluator, for Tollgate's AgtDifferentialTest.

Run it only to regenerate the golden files; CI never runs it (it compares Tollgate with the JSON written here).

    git -C <AGT clone> archive v5.0.0 agent-governance-python/agent-os/src/agent_os/policies | tar -x -C /tmp/agt
    python3 policy/src/test/agt-differential/generate.py \
        /tmp/agt/agent-governance-python/agent-os/src/agent_os/policies \
        [--examples /work/shared/agt-examples]

Needs Python 3.11, pydantic 2 and PyYAML (what AGT 5.0.0 itself needs to load and evaluate a document; generated with
Python 3.11.7, pydantic 2.13.4, PyYAML 6.0.3). The first argument is the directory of AGT's `agent_os/policies` package
at tag v5.0.0. Only schema.py, evaluator.py and dynamic_conditions.py are imported, through a stub package named
agent_os.policies (dynamic_conditions.py imports `agent_os.policies.schema` by its absolute name), so the rest of
agent_os (and its dependencies) is not needed.

Every call is evaluated at a fixed instant, passed as AGT 5.0.0's dynamic_context={"timestamp": ...} (what its
time_window and day_of_week dynamic conditions read): the call's `at` when its case gives one, else DEFAULT_TIME, the
instant AgtDifferentialTest evaluates calls without `at` at.

For every document (AGT's examples, read from --examples, and ours under
policy/src/test/resources/agt-differential/documents/) it writes
policy/src/test/resources/agt-differential/golden/<document>.json: whether AGT loads it, and for a set of calls
derived from its rules (seeded, so the output is deterministic) the decision AGT gives. Each document is loaded
as AGT loads one (PolicyDocument.from_yaml) and evaluated alone (one document per PolicyEvaluator; AGT merges
several documents' rules, which a gateway route never does). The flat context AGT sees is built from the call
exactly as Tollgate maps one (policy/README.md, "Agent Governance Toolkit documents"): tool_name, tool_args,
method, route, spiffe_id, agent_id (the AXID agent claim), tenant/agent/run/sub/parent/tree/capabilities and
other claims by name (a claim wins over an argument of its name), then each top-level argument whose name is none
of those; capabilities is always there, as a list (empty for an anonymous caller), as in Tollgate's Identity.

Calls: for each rule, its field absent and null, values derived from its operand (equal, near misses, other types,
for `matches` a string the pattern matches and ones it does not, with Unicode digits and spaces where the pattern
has \d or \s), generic type edges, the same value with a tool the document names; each tool named; a few benign
calls; and, for our documents, the calls listed in <document>.cases.yaml beside it. Per call the golden file holds
{allowed, action, matched_rule} as AGT returned them, plus error and error_rule when AGT's evaluator raised (it logs
the exception and denies the call, naming no rule).
"""
from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import random
import re
import sys
import types
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
RESOURCES = HERE.parent / "resources" / "agt-differential"
OWN_DOCUMENTS = RESOURCES / "documents"
GOLDEN = RESOURCES / "golden"
# Kept from the AGT 4.1.0 generation so the derived calls stay the same and a regenerated file diffs by decision.
SEED = 4_1_0
DEFAULT_TIME = "2026-11-23T10:00:00Z"
# Documents with more rules than this get cases for a seeded sample of their rules (the ATR packs: 1,555 each).
MAX_RULES_WITH_CASES = 60
# Documents with more rules than this get only a few of the generic type edges per rule (they are alike).
MANY_RULES = 20

# Context names Tollgate supplies itself; never taken from the arguments (AgtCondition.GATEWAY_FIELDS). tool_call_count is
# one too (fix AV: the gateway's count of the run's earlier tool calls); it is still put in AGT's context from the call's
# argument of that name, which AgtDifferentialTest hands Tollgate as that count (AssumedFacts), skipping the cases whose
# value no count takes (null, a fraction, a string).
GATEWAY_FIELDS = {"tool_name", "tool_args", "method", "route", "agent_id", "spiffe_id", "tenant", "agent", "run",
                  "sub", "parent", "tree", "capabilities"}
# The verified OAuth token's facts (review AM): claims, never read from the arguments.
TOKEN_FACTS = {"client_id", "oauth_sub", "oauth_iss", "scope"}
# Identity fields that are strings in Tollgate's Identity record.
STRING_CLAIMS = {"tenant": "tenant", "agent": "agent", "agent_id": "agent", "run": "run", "sub": "sub",
                 "parent": "parent", "tree": "tree", "spiffe_id": "spiffe_id"}

ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
FULLWIDTH_DIGITS = "０１２３４５６７８９"


def load_agt(policies_dir: Path):
    """schema.py, dynamic_conditions.py and evaluator.py of AGT as modules of a stub package (agent_os/__init__ pulls
    in far more)."""
    for module in ("evaluator.py", "schema.py", "dynamic_conditions.py"):
        if not (policies_dir / module).is_file():
            sys.exit(f"{policies_dir} is not AGT 5.0.0's agent_os/policies directory (no {module})")
    root = types.ModuleType("agent_os")
    root.__path__ = []
    package = types.ModuleType("agent_os.policies")
    package.__path__ = [str(policies_dir)]
    sys.modules["agent_os"] = root
    sys.modules["agent_os.policies"] = package
    return importlib.import_module("agent_os.policies.schema"), importlib.import_module("agent_os.policies.evaluator")


# ---------------------------------------------------------------------------------------------------------------
# The call -> AGT's context, as Tollgate maps it
# ---------------------------------------------------------------------------------------------------------------

def context_of(call: dict) -> dict:
    ident = call.get("identity") or {}
    args = call.get("arguments")
    ctx: dict = {}
    if isinstance(args, dict):
        for k, v in args.items():
            if k not in GATEWAY_FIELDS and k not in TOKEN_FACTS:
                ctx[k] = v
    for k, v in (ident.get("claims") or {}).items():
        if k not in GATEWAY_FIELDS and v is not None:
            ctx[k] = v
    if call.get("tool") is not None:
        ctx["tool_name"] = call["tool"]
    if args is not None:
        ctx["tool_args"] = args
    ctx["method"] = call["method"]
    ctx["route"] = call["route"]
    for name, attr in STRING_CLAIMS.items():
        if ident.get(attr) is not None:
            ctx[name] = ident[attr]
    # Tollgate's Identity always has a capabilities list (empty for an anonymous caller).
    ctx["capabilities"] = list(ident.get("capabilities") or [])
    return ctx


def tool_call(tool, arguments, identity=None):
    return {"method": "tools/call", "route": "agt", "tool": tool, "arguments": arguments, "identity": identity}


def with_field(field: str, value, tool="some_tool"):
    """A call whose context has `value` at `field` (None: the field is absent)."""
    if field == "tool_name":
        if value is None:
            return {"method": "tools/list", "route": "agt", "tool": None, "arguments": {}, "identity": None}
        return tool_call(value, {}) if isinstance(value, str) else None
    if field == "tool_args":
        return tool_call(tool, value if isinstance(value, dict) else {"value": value})
    if field == "method":
        return {"method": value, "route": "agt", "tool": None, "arguments": {}, "identity": None} \
            if isinstance(value, str) and value else None
    if field == "route":
        return {"method": "tools/call", "route": value, "tool": tool, "arguments": {}, "identity": None} \
            if isinstance(value, str) and value else None
    if field in STRING_CLAIMS:
        if value is not None and not isinstance(value, str):
            return None
        return tool_call(tool, {}, {STRING_CLAIMS[field]: value} if value is not None else None)
    if field == "capabilities":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return None
        return tool_call(tool, {}, {"capabilities": value})
    return tool_call(tool, {} if value is None else {field: value})


# ---------------------------------------------------------------------------------------------------------------
# Values derived from a condition
# ---------------------------------------------------------------------------------------------------------------

def near_miss(s: str) -> str:
    if not s:
        return "x"
    return s[:-1] + ("x" if s[-1] != "x" else "y")


def operand_values(op: str, value) -> list:
    out: list = []
    if not isinstance(value, (str, int, float, bool, list, dict, type(None))):
        out.append(str(value))  # YAML 1.1 read it as a date or time: its text is what a call can send
    if op in ("eq", "ne"):
        out += [value, near_miss(value) if isinstance(value, str) else value]
        if isinstance(value, str):
            out += [value.upper(), " " + value, [value], {value: 1}]
            if re.fullmatch(r"-?\d+(\.\d+)?", value):
                out += [float(value) if "." in value else int(value)]
        elif isinstance(value, bool):
            out += [int(value), float(value), str(value), not value]
        elif isinstance(value, (int, float)):
            out += [value + 1, float(value), str(value), value == 1, [value]]
        elif isinstance(value, (list, dict)):
            out += [str(value), [value]]
    elif op in ("gt", "gte", "lt", "lte"):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            out += [value, value + 1, value - 1, value + 0.5, float(value), str(value + 1), str(value - 1),
                    str(float(value)), " " + str(value), "lots", True, False, [value], {"n": value}]
        else:
            out += [value, near_miss(str(value)), str(value) + "a", "", 5, [value], "\U0001F600", "\uFFFD"]
    elif op in ("in", "not_in"):
        if isinstance(value, list):
            out += value[:6]
            for v in value[:3]:
                if isinstance(v, str):
                    out += [near_miss(v), v.upper(), [v]]
                elif isinstance(v, (int, float)) and not isinstance(v, bool):
                    out += [float(v), str(v), True if v == 1 else v + 1]
            out += [value, "", 0]
        elif isinstance(value, str):
            out += [value, value[: max(1, len(value) // 2)], near_miss(value), 1, [value]]
        elif isinstance(value, dict):
            out += list(value)[:3] + ["zz", 1, [1], {"a": 1}]
    elif op == "contains":
        if isinstance(value, str):
            out += ["pre " + value + " post", value, near_miss(value), value.upper(), [value], [value + "x"],
                    {value: 1}, {"other": value}, 7, True, 1.5]
        else:
            out += [[value], [str(value)], str(value), {"k": value}, value, [[value]]]
    elif op == "matches":
        out += regex_values(str(value))
    return out


GENERIC_EDGES = [True, False, 0, 1, -1, 1.0, 1e16, 0.1, "", " ", [], {}, [1, "a"], {"k": [None, True, 2.5]}]
FEW_EDGES = [True, 1.0, [1, "a"], {"k": [None, True, 2.5]}]


def regex_values(pattern: str) -> list:
    out: list = []
    try:
        compiled = re.compile(pattern)
    except re.error:
        return ["x"]
    for mode in ("ascii", "unicode"):
        s = RegexExample(mode).generate(pattern)
        if s is None:
            continue
        if compiled.search(s) or mode == "unicode":
            out += [s, "before " + s + " after", near_miss(s), s[: len(s) // 2]]
            if s and s[0].isalnum():
                out.append("x" + s)
            if s and s[-1].isalnum():
                out.append(s + "x")
            out += [s + "\n", [s], {"k": s}]
            if s.isdigit() and s.isascii():
                out.append(int(s))
    if any(esc in pattern for esc in ("\\d", "\\D")):
        digits = "2024-12-31 415 555 0199 123-45-6789"
        out += [digits.translate(str.maketrans("0123456789", ARABIC_DIGITS)),
                digits.translate(str.maketrans("0123456789", FULLWIDTH_DIGITS)), digits]
    if any(esc in pattern for esc in ("\\s", "\\S")):
        out += ["a\u00a0b", "rm\u2003-rf", "drop\u0085table", "x\x1cy", "x\u200by", "a\x0bb"]
    if any(esc in pattern for esc in ("\\w", "\\W", "\\b")):
        out += ["é", "naïve café", "٣٤٥", "a_b", "日本語"]
    return out


class RegexExample:
    """A string a Python pattern matches, built from its parse tree (checked with re.search by the caller)."""

    def __init__(self, mode: str):
        self.mode = mode
        self.groups: dict = {}

    def generate(self, pattern: str):
        try:
            import re._parser as sre_parse  # Python 3.11
            from re import _constants as c
        except ImportError:  # pragma: no cover
            import sre_parse
            import sre_constants as c
        self.c = c
        try:
            return self.seq(sre_parse.parse(pattern))
        except Exception:
            return None

    def category(self, cat):
        c = self.c
        uni = self.mode == "unicode"
        return {c.CATEGORY_DIGIT: "٣" if uni else "3", c.CATEGORY_NOT_DIGIT: "a",
                c.CATEGORY_SPACE: "\u2003" if uni else " ", c.CATEGORY_NOT_SPACE: "a",
                c.CATEGORY_WORD: "é" if uni else "a", c.CATEGORY_NOT_WORD: "-"}.get(cat, "a")

    def one_of(self, items):
        c = self.c
        negate = any(op == c.NEGATE for op, _ in items)
        if negate:
            for cand in "aZ0 -_!\u00e9":
                if not any(self.in_item(op, av, cand) for op, av in items if op != c.NEGATE):
                    return cand
            return None
        for op, av in items:
            if op == c.LITERAL:
                return chr(av)
            if op == c.RANGE:
                return chr(av[0])
            if op == c.CATEGORY:
                return self.category(av)
        return None

    def in_item(self, op, av, ch):
        c = self.c
        if op == c.LITERAL:
            return ord(ch) == av
        if op == c.RANGE:
            return av[0] <= ord(ch) <= av[1]
        if op == c.CATEGORY:
            return re.match("[" + {c.CATEGORY_DIGIT: r"\d", c.CATEGORY_NOT_DIGIT: r"\D", c.CATEGORY_SPACE: r"\s",
                                   c.CATEGORY_NOT_SPACE: r"\S", c.CATEGORY_WORD: r"\w",
                                   c.CATEGORY_NOT_WORD: r"\W"}.get(av, "x") + "]", ch) is not None
        return False

    def seq(self, items) -> str:
        return "".join(self.node(op, av) for op, av in items)

    def node(self, op, av) -> str:
        c = self.c
        if op == c.LITERAL:
            return chr(av)
        if op == c.NOT_LITERAL:
            return "a" if av != ord("a") else "b"
        if op == c.ANY:
            return "a"
        if op == c.IN:
            ch = self.one_of(av)
            if ch is None:
                raise ValueError("empty class")
            return ch
        if op == c.BRANCH:
            return self.seq(av[1][0])
        if op == c.SUBPATTERN:
            group, _, _, sub = av
            s = self.seq(sub)
            if group is not None:
                self.groups[group] = s
            return s
        if op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)):
            lo, hi, sub = av
            n = max(lo, 1)
            if hi is not c.MAXREPEAT:
                n = min(n, hi)
            return "".join(self.seq(sub) for _ in range(n))
        if op == getattr(c, "ATOMIC_GROUP", None):
            return self.seq(av)
        if op == c.GROUPREF:
            return self.groups.get(av, "")
        if op == c.CATEGORY:
            return self.category(av)
        if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            return ""
        if op == c.GROUPREF_EXISTS:
            return self.seq(av[1])
        raise ValueError(op)


# ---------------------------------------------------------------------------------------------------------------
# Cases for one document
# ---------------------------------------------------------------------------------------------------------------

def rules_of(data) -> list:
    rules = data.get("rules") if isinstance(data, dict) else None
    return [r for r in rules if isinstance(r, dict)] if isinstance(rules, list) else []


def cases_for(doc_name: str, data, extra: list) -> list:
    rng = random.Random(f"{SEED}:{doc_name}")
    rules = rules_of(data)
    chosen = list(range(len(rules)))
    if len(chosen) > MAX_RULES_WITH_CASES:
        chosen = sorted(rng.sample(chosen, MAX_RULES_WITH_CASES))
    cases: list = []
    seen: set = set()

    def add(case_id, call):
        if call is None:
            return
        try:
            key = json.dumps(call, sort_keys=True, ensure_ascii=True, allow_nan=False)
        except (TypeError, ValueError):
            return  # an operand YAML read as a date, .inf...: no JSON call carries it
        if key in seen:
            return
        seen.add(key)
        cases.append({"id": case_id, "call": call})

    tools = sorted({v for r in rules for v in tool_names(r)})
    for i in chosen:
        rule = rules[i]
        cond = rule.get("condition")
        if not isinstance(cond, dict) or not isinstance(cond.get("field"), str):
            continue
        field, op, value = cond["field"], cond.get("operator"), cond.get("value")
        label = str(rule.get("name", i))
        values = operand_values(op, value)
        if len(rules) <= MANY_RULES:
            values += GENERIC_EDGES
        elif len(rules) <= MAX_RULES_WITH_CASES:
            if len(values) > 10:
                # Keep the first (the operand itself, or the string the pattern matches) and sample the rest.
                values = values[:1] + rng.sample(values[1:], 9)
            values += FEW_EDGES
        else:
            values = values[:6]
        add(f"{label}/absent", with_field(field, None))
        add(f"{label}/null", with_field(field, None) if field in STRING_CLAIMS else tool_call("some_tool", {field: None}))
        for n, v in enumerate(values):
            add(f"{label}/v{n}", with_field(field, v))
        if tools and field != "tool_name" and values:
            # The first value again, with a tool the document names: tool rules and this rule meet.
            add(f"{label}/with-tool", with_field(field, values[0], rng.choice(tools)))
    for n, tool in enumerate(tools[:40]):
        add(f"tool/{n}", tool_call(tool, {}))
    for n, call in enumerate(benign_calls(rng)):
        add(f"benign/{n}", call)
    for n, case in enumerate(extra):
        add(case.get("id", f"extra/{n}"), expand(case["call"]))
    return cases


def expand(value):
    """A case file's {$repeat: [text, n]} is text n times over (values too long to write out)."""
    if isinstance(value, dict):
        if set(value) == {"$repeat"}:
            text, times = value["$repeat"]
            return text * times
        return {k: expand(v) for k, v in value.items()}
    if isinstance(value, list):
        return [expand(v) for v in value]
    return value


def tool_names(rule) -> list:
    cond = rule.get("condition")
    if not isinstance(cond, dict) or cond.get("field") != "tool_name":
        return []
    v = cond.get("value")
    return [x for x in (v if isinstance(v, list) else [v]) if isinstance(x, str)]


def benign_calls(rng):
    yield tool_call("get_weather", {"city": "Oslo"})
    yield tool_call("search", {"query": "quarterly report", "limit": 10})
    yield tool_call("read_file", {"path": "/tmp/notes.txt"}, {"tenant": "acme", "agent": "planner",
                                                             "capabilities": ["fs.read"]})
    yield {"method": "resources/read", "route": "agt", "tool": None, "arguments": {"uri": "file:///a"},
           "identity": None}
    yield tool_call("echo", {"message": "hello " + str(rng.randint(0, 999)), "message_count": rng.randint(0, 5)})


# ---------------------------------------------------------------------------------------------------------------
# AGT's decision
# ---------------------------------------------------------------------------------------------------------------

def decide(schema, evaluator, document, call) -> dict:
    context = context_of(call)
    dynamic_context = {"timestamp": call.get("at", DEFAULT_TIME)}
    decision = evaluator.PolicyEvaluator(policies=[document]).evaluate(dict(context), dynamic_context)
    out = {"allowed": decision.allowed, "action": decision.action, "matched_rule": decision.matched_rule}
    if decision.audit_entry.get("error"):
        # AGT logged and swallowed the exception; find where it was raised, as its own loop would.
        ordered = sorted(document.rules, key=lambda r: r.priority, reverse=True)
        for rule in ordered:
            try:
                if evaluator._match_condition(rule.condition, context):
                    break
            except Exception as e:  # noqa: BLE001 - recording what AGT raised
                out["error"] = f"{type(e).__name__}: {e}"[:200]
                out["error_rule"] = rule.name
                break
        else:
            out["error"] = "evaluation error"
    return out


def run_document(schema, evaluator, name: str, path: Path, source: str, extra: list) -> dict:
    text = path.read_text(encoding="utf-8")
    # The test checks it reads the very bytes AGT read: an edited document needs its golden file regenerated.
    result: dict = {"document": name, "source": source, "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
    try:
        document = schema.PolicyDocument.from_yaml(path)
        result["agt_loads"] = True
    except Exception as e:  # noqa: BLE001
        result["agt_loads"] = False
        result["agt_load_error"] = f"{type(e).__name__}: {str(e).splitlines()[0]}"[:300]
        result["cases"] = []
        return result
    data = yaml.safe_load(text)
    cases = cases_for(name, data, extra)
    for case in cases:
        case["agt"] = decide(schema, evaluator, document, case["call"])
    result["cases"] = cases
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("agt_policies", type=Path, help="AGT v5.0.0 agent_os/policies directory")
    parser.add_argument("--examples", type=Path, default=Path("/work/shared/agt-examples"))
    args = parser.parse_args()
    schema, evaluator = load_agt(args.agt_policies)
    import logging
    logging.disable(logging.CRITICAL)  # AGT logs every swallowed exception with a traceback
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for old in GOLDEN.glob("*.json"):
        old.unlink()
    documents = [(p.name, p, "examples") for p in sorted(args.examples.glob("*.yaml"))]
    documents += [(p.name, p, "own") for p in sorted(OWN_DOCUMENTS.glob("*.yaml")) if not p.name.endswith(".cases.yaml")]
    if not any(src == "examples" for _, _, src in documents):
        sys.exit(f"no AGT example documents in {args.examples}")
    total = 0
    for name, path, source in documents:
        sidecar = path.with_name(path.stem + ".cases.yaml")
        extra = (yaml.safe_load(sidecar.read_text(encoding="utf-8")) or []) if source == "own" and sidecar.exists() else []
        result = run_document(schema, evaluator, name, path, source, extra)
        total += len(result["cases"])
        out = GOLDEN / (Path(name).stem + ".json")
        with out.open("w", encoding="utf-8") as f:
            # One case a line, so a regenerated file diffs case by case.
            header = {k: v for k, v in result.items() if k != "cases"}
            f.write(json.dumps(header, ensure_ascii=True)[:-1] + ', "cases": [\n')
            f.write(",\n".join(json.dumps(c, ensure_ascii=True, separators=(",", ":")) for c in result["cases"]))
            f.write("\n]}\n")
        print(f"{name}: loads={result['agt_loads']} cases={len(result['cases'])}")
    print(f"{len(documents)} documents, {total} cases -> {GOLDEN}")


if __name__ == "__main__":
    main()
