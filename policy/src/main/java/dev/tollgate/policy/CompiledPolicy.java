package dev.tollgate.policy;

import dev.tollgate.policy.condition.LiteralCheck;
import dev.tollgate.policy.condition.RegexDecisionBudget;

import dev.tollgate.policy.condition.Condition;
import dev.tollgate.policy.condition.Truth;
import dev.tollgate.policy.prefilter.LiteralPrefilter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An immutable, indexed policy document. Rules run highest priority first, file order on ties; the first
 * whose condition holds decides; if none does, the document's default decides. A condition that throws
 * counts as a matching deny of its rule (fail closed); a value too long for a regular expression to scan
 * ({@link RegexInputTooLongException}) or a backtracking search out of steps ({@link RegexStepBudgetException})
 * gets its own preallocated deny, so the gateway can name the cause.
 *
 * <p>Index: a rule whose condition requires an exact tool name (a top-level {@code tool:} literal, or one
 * inside a top-level {@code all:}) is bucketed under that name; every other rule is a wildcard rule. For
 * each bucketed name the bucket and the wildcard rules are merged in priority order once, here, so a call
 * costs one hash lookup and a walk over only the rules that can apply to it.
 */
public final class CompiledPolicy {

    private static final Comparator<CompiledRule> EVALUATION_ORDER =
            Comparator.comparingInt(CompiledRule::priority).reversed().thenComparingInt(CompiledRule::order);

    private final String name;
    private final String version;
    private final Mode mode;
    private final Decision defaultDecision;
    private final CompiledRule[] allRules;
    private final CompiledRule[] wildcardRules;
    private final Map<String, CompiledRule[]> rulesByTool;
    /**
     * Every rule, in evaluation order, as a call whose tool is unknown is decided ({@link CallFacts#toolUnknown}): the
     * metering deny rules read any tool ({@link UnknownTools#meteringRulesOfAnyTool}); {@link #allRules} when none is.
     */
    private final CompiledRule[] rulesOfUnknownTool;
    private final Set<String> checksUsed;
    private final List<PolicyProblem> warnings;
    /**
     * Null when the document has no AGT {@code matches} rule with literals (then nothing is scanned). Rules are
     * known to it by {@link CompiledRule#order()}, their position in the file.
     */
    private final LiteralPrefilter prefilter;
    /** The rules that decide results ({@code direction: result}), in evaluation order; empty for most documents. */
    private final CompiledRule[] resultRules;
    /** The result rules as they read a result of an unknown tool ({@link ResultRules#anyTool}). */
    private final CompiledRule[] resultRulesOfAnyTool;
    /** What a result no result rule matches gets: it passes. The document's default is about calls, not results. */
    private final Decision resultPass;
    private final Map<String, List<dev.tollgate.policy.detect.Detector>> detectorsByRule;
    /** Every detector of every rule, once each: what names a record writes are checked with (see {@link #detectors()}). */
    private final List<dev.tollgate.policy.detect.Detector> allDetectors;
    /** The caller's claims any rule may read, sorted ({@link Condition#addClaimsRead}). */
    private final Set<String> claimsRead;
    /** The JSON pointers into arguments any rule may read, sorted ({@link Condition#addArgumentsRead}). */
    private final Set<String> argumentsRead;
    /** The pointers the rules that can apply to a call of each tool a rule names read ({@link #argumentsRead(String)}). */
    private final Map<String, Set<String>> argumentsReadByTool;
    /** The pointers the rules that can apply to a call of any other tool read. */
    private final Set<String> argumentsReadOfOtherTools;

    CompiledPolicy(String name, String version, Mode mode, Action defaultAction, String defaultMessage, List<CompiledRule> rules,
                   Set<String> checksUsed) {
        this(name, version, mode, defaultAction, defaultMessage, rules, checksUsed, List.of());
    }

    /** @param warnings what loaded but deserves a look (fields the gateway does not enforce); printed by {@code verify} */
    CompiledPolicy(String name, String version, Mode mode, Action defaultAction, String defaultMessage, List<CompiledRule> rules,
                   Set<String> checksUsed, List<PolicyProblem> warnings) {
        this.checksUsed = Set.copyOf(checksUsed);
        this.warnings = List.copyOf(warnings);
        this.name = name;
        this.version = version;
        this.mode = mode;
        this.defaultDecision = new Decision(defaultAction, null, defaultMessage, name, mode);
        this.allRules = rules.stream().sorted(EVALUATION_ORDER).toArray(CompiledRule[]::new);
        List<CompiledRule> wildcard = new ArrayList<>();
        Map<String, List<CompiledRule>> buckets = new HashMap<>();
        for (CompiledRule rule : allRules) {
            Set<String> tools = rule.condition().requiredToolNames();
            if (tools == null) {
                wildcard.add(rule);
            } else {
                tools.forEach(t -> buckets.computeIfAbsent(t, k -> new ArrayList<>()).add(rule));
            }
        }
        this.wildcardRules = wildcard.toArray(CompiledRule[]::new);
        Map<String, CompiledRule[]> merged = new HashMap<>();
        buckets.forEach((tool, bucket) -> {
            List<CompiledRule> candidates = new ArrayList<>(bucket);
            candidates.addAll(wildcard);
            candidates.sort(EVALUATION_ORDER);
            merged.put(tool, candidates.toArray(CompiledRule[]::new));
        });
        // A HashMap, not Map.copyOf: the immutable map probes linearly, and tool names like tool_1, tool_2...
        // have consecutive hashes, so a miss (a tool no rule names) could walk a long cluster. Never mutated
        // after this point, so safe to share across threads once the policy is published.
        this.rulesByTool = merged;
        this.rulesOfUnknownTool = UnknownTools.meteringRulesOfAnyTool(allRules);
        Condition[] conditionsByOrder = new Condition[Arrays.stream(allRules).mapToInt(CompiledRule::order).max().orElse(-1) + 1];
        for (CompiledRule rule : allRules) {
            conditionsByOrder[rule.order()] = rule.condition();
        }
        this.prefilter = LiteralPrefilter.of(conditionsByOrder);
        this.resultRules = Arrays.stream(allRules).filter(r -> ResultRules.isResultRule(r.condition())).toArray(CompiledRule[]::new);
        this.resultRulesOfAnyTool = Arrays.stream(resultRules).map(r -> r.withCondition(ResultRules.anyTool(r.condition())))
                .toArray(CompiledRule[]::new);
        this.resultPass = new Decision(Action.ALLOW, null, "no result rule matched", name, mode);
        Map<String, List<dev.tollgate.policy.detect.Detector>> detectors = new HashMap<>();
        for (CompiledRule rule : allRules) {
            detectors.put(rule.name(), ResultRules.detectors(rule.condition()));
        }
        this.detectorsByRule = detectors;
        List<dev.tollgate.policy.detect.Detector> every = new ArrayList<>();
        for (CompiledRule rule : allRules) {
            detectors.get(rule.name()).stream().filter(d -> !every.contains(d)).forEach(every::add);
        }
        this.allDetectors = List.copyOf(every);
        Set<String> claims = new java.util.TreeSet<>();
        Arrays.stream(allRules).forEach(rule -> rule.condition().addClaimsRead(claims));
        this.claimsRead = java.util.Collections.unmodifiableSet(claims);
        Set<String> pointers = new java.util.TreeSet<>();
        Arrays.stream(allRules).forEach(rule -> rule.condition().addArgumentsRead(pointers));
        this.argumentsRead = java.util.Collections.unmodifiableSet(pointers);
        Map<String, Set<String>> byTool = new HashMap<>();
        merged.forEach((tool, candidates) -> byTool.put(tool, argumentsRead(candidates)));
        this.argumentsReadByTool = byTool;
        this.argumentsReadOfOtherTools = argumentsRead(wildcardRules);
    }

    private static Set<String> argumentsRead(CompiledRule[] rules) {
        Set<String> pointers = new java.util.TreeSet<>();
        Arrays.stream(rules).forEach(rule -> rule.condition().addArgumentsRead(pointers));
        return java.util.Collections.unmodifiableSet(pointers);
    }

    /** The same document without its literal prefilter: every pattern runs (benchmarks and exactness tests compare). */
    private CompiledPolicy(CompiledPolicy with) {
        this.name = with.name;
        this.version = with.version;
        this.mode = with.mode;
        this.defaultDecision = with.defaultDecision;
        this.allRules = with.allRules;
        this.wildcardRules = with.wildcardRules;
        this.rulesByTool = with.rulesByTool;
        this.rulesOfUnknownTool = with.rulesOfUnknownTool;
        this.checksUsed = with.checksUsed;
        this.warnings = with.warnings;
        this.prefilter = null;
        this.resultRules = with.resultRules;
        this.resultRulesOfAnyTool = with.resultRulesOfAnyTool;
        this.resultPass = with.resultPass;
        this.detectorsByRule = with.detectorsByRule;
        this.allDetectors = with.allDetectors;
        this.claimsRead = with.claimsRead;
        this.argumentsRead = with.argumentsRead;
        this.argumentsReadByTool = with.argumentsReadByTool;
        this.argumentsReadOfOtherTools = with.argumentsReadOfOtherTools;
    }

    /** The names of the caller's claims any of its rules may read, sorted: what an audit record keeps for a replay. */
    public Set<String> claimsRead() {
        return claimsRead;
    }

    /**
     * The JSON pointers into a call's arguments any of its rules may read ({@code ""}: the arguments whole), sorted: what a
     * replay checks a record's redacted members against.
     */
    public Set<String> argumentsRead() {
        return argumentsRead;
    }

    /**
     * The JSON pointers into the arguments of a {@code tools/call} of {@code tool} that the rules which can apply to it
     * read (those {@link #candidates(CallDescription)} walks: the rules naming the tool and those naming none): what a
     * check of how the call spells its argument names holds it to, not the names rules of other tools read.
     */
    public Set<String> argumentsRead(String tool) {
        Set<String> read = tool == null ? null : argumentsReadByTool.get(tool);
        return read != null ? read : argumentsReadOfOtherTools;
    }

    /** True when the document has rules on results ({@code direction: result}): only then are results read for policy. */
    public boolean hasResultRules() {
        return resultRules.length > 0;
    }

    /**
     * Decides a result ({@link CallDescription#RESULT}): the first result rule that matches, else a pass (ALLOW, no rule).
     * Fails closed like {@link #evaluate}: a condition that cannot be evaluated denies the result.
     */
    public Decision evaluateResult(PolicyRequest request) {
        RegexDecisionBudget.begin();
        try {
            return firstResultMatch(request);
        } finally {
            RegexDecisionBudget.end();
            LiteralCheck.forgetLastFolded();
        }
    }

    private Decision firstResultMatch(PolicyRequest request) {
        for (CompiledRule rule : resultRules) {
            boolean matched;
            try {
                matched = rule.condition().matches(request);
            } catch (RuntimeException | StackOverflowError e) {
                return rule.failureDecision(e);
            }
            if (matched) {
                return rule.decision();
            }
        }
        return resultPass;
    }

    /**
     * Every result rule that matches, in evaluation order (empty when none does). Unlike calls, a result is held against
     * all of them: a deny anywhere wins, and every redact rule's findings are redacted, so an upstream cannot hide an
     * injection behind a secret that an earlier redact rule matches first.
     */
    public List<Decision> evaluateResultAll(PolicyRequest request) {
        RegexDecisionBudget.begin();
        try {
            return allResultMatches(request, resultRules);
        } finally {
            RegexDecisionBudget.end();
            LiteralCheck.forgetLastFolded();
        }
    }

    /**
     * {@link #evaluateResultAll} for a result whose tool cannot be known (a response on a session's GET stream answering
     * no pending {@code tools/call}): {@code tool:} conditions are read as holding wherever that makes a rule match, so a
     * rule scoped to a tool applies to it (fail closed); {@code not: {tool: ...}} is read as not holding.
     */
    public List<Decision> evaluateResultAllOfUnknownTool(PolicyRequest request) {
        RegexDecisionBudget.begin();
        try {
            return allResultMatches(request, resultRulesOfAnyTool);
        } finally {
            RegexDecisionBudget.end();
            LiteralCheck.forgetLastFolded();
        }
    }

    private static List<Decision> allResultMatches(PolicyRequest request, CompiledRule[] rules) {
        List<Decision> matched = new ArrayList<>(0);
        for (CompiledRule rule : rules) {
            try {
                if (rule.condition().matches(request)) {
                    matched.add(rule.decision());
                }
            } catch (RuntimeException | StackOverflowError e) {
                matched.add(rule.failureDecision(e));
            }
        }
        return matched;
    }

    /**
     * Decides a result as the gateway's result stage does (README, result rules): every result rule is held against it,
     * a deny anywhere wins, then a redact, then the first other match; a result no result rule matches passes. The
     * document's default and its request rules decide calls, never results. Policy test cases and explain use this, so
     * they say what the gateway does to the result.
     */
    public Decision decideResult(PolicyRequest request) {
        return strongestResult(evaluateResultAll(request));
    }

    /** The decision that wins among the result rules that matched (as {@link #evaluateResultAll} lists them). */
    public Decision strongestResult(List<Decision> matched) {
        for (Action strongest : List.of(Action.DENY, Action.REDACT)) {
            for (Decision d : matched) {
                if (d.action() == strongest) {
                    return d;
                }
            }
        }
        return matched.isEmpty() ? resultPass : matched.get(0);
    }

    /** {@link #decideResult} with every rule traced: result rules with why they matched or not, request rules as not deciding. */
    public Explanation explainResult(PolicyRequest request) {
        RegexDecisionBudget.begin();
        try {
            List<RuleTrace> trace = new ArrayList<>();
            List<Decision> matched = new ArrayList<>();
            for (CompiledRule rule : allRules) {
                if (!ResultRules.isResultRule(rule.condition())) {
                    trace.add(new RuleTrace(rule.name(), rule.priority(), false,
                            "not a result rule (no direction: result): only result rules decide results"));
                    continue;
                }
                String mismatch;
                try {
                    mismatch = rule.condition().mismatch(request);
                } catch (RegexInputTooLongException | RegexStepBudgetException | NumberReadingsDisagreeException e) {
                    matched.add(rule.failureDecision(e));
                    trace.add(new RuleTrace(rule.name(), rule.priority(), true, e.getMessage()));
                    continue;
                } catch (RuntimeException | StackOverflowError e) {
                    matched.add(rule.failureDecision(e));
                    trace.add(new RuleTrace(rule.name(), rule.priority(), true, "condition failed (" + e + "): denied, fail closed"));
                    continue;
                }
                if (mismatch == null) {
                    matched.add(rule.decision());
                    trace.add(new RuleTrace(rule.name(), rule.priority(), true, "matched: " + rule.action()
                            + " (every result rule is tried: a deny anywhere wins)"));
                } else {
                    trace.add(new RuleTrace(rule.name(), rule.priority(), false, mismatch));
                }
            }
            return new Explanation(strongestResult(matched), trace);
        } finally {
            RegexDecisionBudget.end();
            LiteralCheck.forgetLastFolded();
        }
    }

    /** The pass decision for a result no result rule matches. */
    public Decision resultPass() {
        return resultPass;
    }

    /**
     * Every detector the policy's rules use, once each: a name an audit record, span or log writes (a withheld entry's, a
     * key on a finding's pointer) is checked with all of them, whichever rule decided (fix AU).
     */
    public List<dev.tollgate.policy.detect.Detector> detectors() {
        return allDetectors;
    }

    /** The detectors a rule uses (for its findings and, on a redact rule, what to replace); empty when none or no such rule. */
    public List<dev.tollgate.policy.detect.Detector> detectors(String ruleName) {
        return ruleName == null ? List.of() : detectorsByRule.getOrDefault(ruleName, List.of());
    }

    /** This document deciding without the literal prefilter (every regular expression runs): for comparisons. */
    public CompiledPolicy withoutPrefilter() {
        return prefilter == null ? this : new CompiledPolicy(this);
    }

    /** The literal prefilter, or null when the document has no AGT {@code matches} rule with literals. */
    public LiteralPrefilter prefilter() {
        return prefilter;
    }

    public String name() {
        return name;
    }

    /** Problems that did not stop the document loading, e.g. AGT fields with no meaning in a gateway. */
    public List<PolicyProblem> warnings() {
        return warnings;
    }

    public String version() {
        return version;
    }

    public Mode mode() {
        return mode;
    }

    public List<CompiledRule> rules() {
        return Arrays.asList(allRules.clone());
    }

    /** Whether any rule uses the named custom check: the gateway fetches spend only for policies with a budget rule. */
    public boolean usesCheck(String checkName) {
        return checksUsed.contains(checkName);
    }

    public Decision defaultDecision() {
        return defaultDecision;
    }

    /**
     * Decides one call: one hash lookup on the tool name, then the applicable rules in order; returns a
     * preallocated {@link Decision}. Never throws for any content of the call, identity or time: a condition
     * that fails to evaluate makes its rule match as a deny (fail closed). The request and its call must not
     * be null (the pipeline always builds both).
     */
    public Decision evaluate(PolicyRequest request) {
        RegexDecisionBudget.begin();
        try {
            return firstMatch(request);
        } finally {
            RegexDecisionBudget.end();
            LiteralCheck.forgetLastFolded();
        }
    }

    private Decision firstMatch(PolicyRequest request) {
        // One scan of each field for the literals of the document's AGT patterns, done when a rule first needs it.
        LiteralPrefilter.Scan scan = prefilter == null ? null : prefilter.start(request);
        for (CompiledRule rule : candidates(request)) {
            if (scan != null && scan.rulesOut(rule.order())) {
                continue;
            }
            boolean matched;
            try {
                matched = rule.condition().matches(request);
            } catch (RuntimeException | StackOverflowError e) {
                // Fail closed, with the rule's preallocated deny for the cause (a value too long to scan, or any error).
                return rule.failureDecision(e);
            }
            if (matched) {
                return rule.decision();
            }
        }
        return defaultDecision;
    }

    /**
     * The rules that can apply to this call, in evaluation order. A call whose tool is unknown walks every rule (the
     * index by tool name would leave out the rules scoped to a tool), its metering deny rules reading any tool.
     */
    private CompiledRule[] candidates(PolicyRequest request) {
        return request.facts().toolUnknown() ? rulesOfUnknownTool : candidates(request.call());
    }

    /** The rules that can apply to this call, in evaluation order. */
    CompiledRule[] candidates(CallDescription call) {
        String tool = call.toolName();
        if (tool != null) {
            CompiledRule[] bucket = rulesByTool.get(tool);
            if (bucket != null) {
                return bucket;
            }
        }
        return wildcardRules;
    }

    /** Every rule in evaluation order, with why it did or did not match; rules after the decision are "not reached". */
    public Explanation explain(PolicyRequest request) {
        RegexDecisionBudget.begin();
        try {
            return traced(request);
        } finally {
            RegexDecisionBudget.end();
            LiteralCheck.forgetLastFolded();
        }
    }

    private Explanation traced(PolicyRequest request) {
        List<RuleTrace> trace = new ArrayList<>();
        Decision decision = null;
        LiteralPrefilter.Scan scan = prefilter == null ? null : prefilter.start(request);
        for (CompiledRule rule : request.facts().toolUnknown() ? rulesOfUnknownTool : allRules) {
            if (decision != null) {
                trace.add(new RuleTrace(rule.name(), rule.priority(), false, "not reached"));
                continue;
            }
            if (scan != null && scan.rulesOut(rule.order())) {
                trace.add(new RuleTrace(rule.name(), rule.priority(), false, scan.reason(rule.order())));
                continue;
            }
            String mismatch;
            try {
                mismatch = rule.condition().mismatch(request);
            } catch (RegexInputTooLongException | RegexStepBudgetException | NumberReadingsDisagreeException e) {
                decision = rule.failureDecision(e);
                trace.add(new RuleTrace(rule.name(), rule.priority(), true, e.getMessage()));
                continue;
            } catch (RuntimeException | StackOverflowError e) {
                decision = rule.errorDecision();
                trace.add(new RuleTrace(rule.name(), rule.priority(), true, "condition failed (" + e + "): denied, fail closed"));
                continue;
            }
            if (mismatch == null) {
                decision = rule.decision();
                trace.add(new RuleTrace(rule.name(), rule.priority(), true, "matched: " + rule.action()));
            } else {
                trace.add(new RuleTrace(rule.name(), rule.priority(), false, mismatch));
            }
        }
        return new Explanation(decision == null ? defaultDecision : decision, trace);
    }

    /**
     * False only when a {@code tools/call} of {@code tool} by this caller is certain to be denied whatever
     * its arguments and time: used to leave such tools out of {@code tools/list}. Walks the rules in order
     * asking each whether it surely matches (TRUE), surely does not (FALSE), or depends on arguments, time
     * or a custom check (UNKNOWN). An allowing rule that is TRUE or UNKNOWN means the call may be allowed; a
     * denying rule that is TRUE settles it as denied; otherwise the default decides. Shadow mode never hides.
     */
    public boolean mayEverCall(String tool, Identity identity) {
        return mayEverCall(CallDescription.mcpToolCall(null, tool, null), identity);
    }

    /**
     * The same question for any call described without its arguments: used for A2A skills, probed as
     * {@code CallDescription.a2a(route, "SendMessage", skill, null)}.
     */
    public boolean mayEverCall(CallDescription probe, Identity identity) {
        if (mode == Mode.SHADOW) {
            return true;
        }
        for (CompiledRule rule : candidates(probe)) {
            Truth truth;
            try {
                truth = rule.condition().staticTruth(probe, identity);
            } catch (RuntimeException e) {
                truth = Truth.UNKNOWN;
            }
            if (truth == Truth.FALSE) {
                continue;
            }
            if (rule.action() != Action.DENY) {
                return true;
            }
            if (truth == Truth.TRUE) {
                return false;
            }
        }
        return defaultDecision.action() != Action.DENY;
    }
}
