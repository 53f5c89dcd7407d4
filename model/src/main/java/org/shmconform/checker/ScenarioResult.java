package org.shmconform.checker;

import java.util.List;

/**
 * One scenario (or generated schedule) run on one column, with its verdicts and where its
 * evidence lies (paths relative to the report folder).
 *
 * @param column   the worker implementation under test ("sysv", "qt", ...)
 * @param env      the environment preset it ran in
 * @param reason   for NOT_AVAILABLE / UNKNOWN: why
 */
public record ScenarioResult(String scenario, String title, String column, String env, List<PropertyResult> properties,
                             String historyFile, String scheduleFile, long millis, String reason, List<String> notes) {

    public Verdict verdict() {
        return properties.stream().map(PropertyResult::verdict).reduce(Verdict.NOT_AVAILABLE, Verdict::merge);
    }
}
