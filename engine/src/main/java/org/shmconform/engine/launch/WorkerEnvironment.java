package org.shmconform.engine.launch;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A worker's environment: what its command names (TMPDIR, the run's id, ...), the system's PATH, and of the harness's
 * own only the locale. Nothing else of the caller's: a worker of another user (setpriv's user switch, the Qt 6.8
 * launcher's --userspec) runs a program that user may read /proc/PID/environ of, and a root harness's environment may
 * carry a CI's secrets (`sudo -E` keeps them all); and a variable such as JAVA_TOOL_OPTIONS or LD_PRELOAD in the
 * caller's environment would change what every worker runs.
 */
public final class WorkerEnvironment {
    /** The harness's variables a worker keeps: how text is decoded and printed, nothing more. */
    static final List<String> KEPT = List.of("LANG", "LC_ALL", "LC_CTYPE");

    private WorkerEnvironment() {
    }

    /** Makes {@code environment} (a ProcessBuilder's, a copy of the harness's) a worker's for {@code command}. */
    public static void reset(Map<String, String> environment, WorkerCommand command) {
        Map<String, String> kept = new HashMap<>();
        for (String name : KEPT) {
            String value = environment.get(name);
            if (value != null) {
                kept.put(name, value);
            }
        }
        environment.clear();
        environment.putAll(kept);
        environment.put("PATH", SystemTools.trustedPath());
        environment.putAll(command.environment());
    }
}
