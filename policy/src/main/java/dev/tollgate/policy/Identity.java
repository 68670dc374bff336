package dev.tollgate.policy;

import java.util.List;
import java.util.Map;

/**
 * Who is calling: the workload (SPIFFE ID from the mTLS connection) and the action (AXID claims: tenant,
 * agent slug, run, sub-user, spawn-chain parent, spawn tree, capabilities, and any other claim by name).
 * Absent values are null; lists and maps are never null.
 */
public record Identity(String spiffeId, String tenant, String agent, String run, String subUser, String parent,
                       String tree, List<String> capabilities, Map<String, Object> claims) {

    public static final Identity ANONYMOUS = new Identity(null, null, null, null, null, null, null, List.of(), Map.of());

    public Identity {
        capabilities = capabilities == null ? List.of() : List.copyOf(capabilities);
        claims = claims == null ? Map.of() : Map.copyOf(claims);
    }

    /** A claim by its policy name: the well-known ones map to their fields, others come from {@link #claims}. */
    public Object claim(String name) {
        return switch (name) {
            case "tenant" -> tenant;
            case "agent" -> agent;
            case "run" -> run;
            case "sub" -> subUser;
            case "parent" -> parent;
            case "tree" -> tree;
            case "spiffe_id" -> spiffeId;
            case "capabilities" -> capabilities;
            default -> claims.get(name);
        };
    }
}
