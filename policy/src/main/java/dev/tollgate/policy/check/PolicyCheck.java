package dev.tollgate.policy.check;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A named custom check, referenced from YAML as {@code check: {name: <name>, args: {...}}} and registered in
 * code through {@link CheckRegistry}. {@link #compile} runs once at load time: validate and precompute
 * there, so the per-call {@link CompiledCheck#test} is cheap.
 *
 * <p>Good: {@code argument_size} parses {@code max_bytes} once in compile and compares a length per call.
 * Bad: a check that calls a remote service in {@code test}: evaluation runs on the event loop and must
 * never block; data that lives elsewhere (a spend ledger) is fetched before evaluation and read here.
 */
public interface PolicyCheck {

    String name();

    /** @throws IllegalArgumentException with a message naming the bad argument; reported with file and line */
    CompiledCheck compile(JsonNode args);
}
