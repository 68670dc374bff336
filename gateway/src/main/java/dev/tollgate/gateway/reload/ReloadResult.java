package dev.tollgate.gateway.reload;

import java.util.List;

/**
 * The outcome of one reload attempt.
 *
 * @param applied     true when a new snapshot now serves
 * @param problems    why the files were rejected (file:line: field: message), empty when applied
 * @param needRestart settings that changed but only take effect after a restart (listeners, admin)
 */
public record ReloadResult(boolean applied, List<String> problems, List<String> needRestart) {

    public ReloadResult {
        problems = List.copyOf(problems);
        needRestart = List.copyOf(needRestart);
    }
}
