package org.shmconform.schedule;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One worker of a schedule.
 *
 * @param id    e.g. "A"; steps name it
 * @param impl  a backend name ("sysv", "posix", ...) for a Java worker, or "qt" for the Qt 6.4 reference worker
 * @param env   the environment it runs in ("local", "ipcns", ...)
 * @param group workers of one environment with the same group share its namespaces
 * @param user   run as this user ("nobody"), or null for the harness's own user
 * @param tmpdir null: the run's TMPDIR, shared by every worker (where Qt-style key files live); a
 *               name: a TMPDIR of that name of its own, so that System V keys cannot meet (P2)
 * @param process null: a process of its own; a worker's id: this worker is a second segment object living in that
 *                worker's process (the host is declared before it, with the same impl, env, group, user and tmpdir,
 *                and is no guest itself). The engine starts no process for it: its steps go to the host's process, which
 *                does one op at a time, and a kill of either kills both objects (ScheduleValidation)
 */
public record WorkerSpec(String id, String impl, String env, String group, String user, String tmpdir,
                         @JsonInclude(JsonInclude.Include.NON_NULL) String process) {

    public WorkerSpec(String id, String impl, String env, String group, String user, String tmpdir) {
        this(id, impl, env, group, user, tmpdir, null);
    }

    public WorkerSpec(String id, String impl, String env, String group, String user) {
        this(id, impl, env, group, user, null, null);
    }

    public static WorkerSpec local(String id, String impl) {
        return new WorkerSpec(id, impl, "local", "g", null, null, null);
    }

    /** A second object named {@code id} in {@code host}'s process: declared with the host's home. */
    public static WorkerSpec objectOf(WorkerSpec host, String id) {
        return new WorkerSpec(id, host.impl, host.env, host.group, host.user, host.tmpdir, host.id);
    }

    /** The worker whose process this one's object lives in: itself unless it is a second object. */
    @JsonIgnore
    public String processId() {
        return process == null ? id : process;
    }

    public WorkerSpec in(String newEnv, String newGroup) {
        return new WorkerSpec(id, impl, newEnv, newGroup, user, tmpdir, process);
    }

    public WorkerSpec withTmpdir(String name) {
        return new WorkerSpec(id, impl, env, group, user, name, process);
    }
}
