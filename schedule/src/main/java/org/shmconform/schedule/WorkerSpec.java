package org.shmconform.schedule;

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
 */
public record WorkerSpec(String id, String impl, String env, String group, String user, String tmpdir) {

    public WorkerSpec(String id, String impl, String env, String group, String user) {
        this(id, impl, env, group, user, null);
    }

    public static WorkerSpec local(String id, String impl) {
        return new WorkerSpec(id, impl, "local", "g", null, null);
    }

    public WorkerSpec in(String newEnv, String newGroup) {
        return new WorkerSpec(id, impl, newEnv, newGroup, user, tmpdir);
    }

    public WorkerSpec withTmpdir(String name) {
        return new WorkerSpec(id, impl, env, group, user, name);
    }
}
