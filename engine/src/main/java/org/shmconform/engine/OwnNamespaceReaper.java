package org.shmconform.engine;

import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.shmconform.backends.sysv.ForeignIpcNamespace;
import org.shmconform.engine.env.Environment;
import org.shmconform.engine.env.Environments;
import org.shmconform.engine.env.OwnIpcNamespace;
import org.shmconform.schedule.Schedule;
import org.shmconform.schedule.WorkerSpec;

/**
 * The reaper's pass for the IPC namespaces environments made for a schedule's groups (ipcns, ipcns+shm, docker-private,
 * docker-shareable), which the host's reaper does not reach: after the schedule, every semaphore set and every segment
 * nobody attached there is removed by a thread that enters the namespace ({@link OwnIpcNamespace#removeLeftovers}). So the
 * next schedule in the group meets nothing of this one (a leftover segment whose key file went could otherwise answer a
 * later key file that took its inode, as {@code Reaper} prevents on the host), and a worker that locked there keeps no
 * SEM_UNDO adjustment ({@code WorkerPool#readmit}). Only while no schedule uses the namespace ({@link EnvironmentUsers}):
 * another one's objects would go too; then nothing is removed, and the lockers there are replaced.
 */
final class OwnNamespaceReaper {
    /** One group's IPC namespace in one environment. */
    record Namespace(Environment environment, String group) {
    }

    private OwnNamespaceReaper() {
    }

    /** The namespaces of the schedule's groups that are no host's: those of environments with IPC namespaces of their own. */
    static Set<Namespace> of(Schedule schedule, Map<String, Environment> environments) {
        Set<Namespace> used = new LinkedHashSet<>();
        for (WorkerSpec w : schedule.workers()) {
            Environment env = environments.get(w.env());
            if (env != null && !Environments.sharesTheHostsIpcNamespace(env.name())) {
                used.add(new Namespace(env, w.group()));
            }
        }
        return used;
    }

    /**
     * @param used the schedule's namespaces ({@link #of})
     * @return those proven to hold no semaphore set now
     */
    static Set<Namespace> reapAfter(Set<Namespace> used, List<String> notes) {
        Set<Namespace> setFree = new HashSet<>();
        for (Namespace ns : used) {
            ForeignIpcNamespace.Removal removal = EnvironmentUsers.whileUnused(ns,
                    () -> ns.environment().ownIpcNamespace(ns.group()).map(OwnIpcNamespace::removeLeftovers).orElse(null));
            if (removal == null) {
                continue; // in use by another schedule, or no namespace of its own (yet): nothing proven
            }
            String where = "group " + ns.group() + "'s IPC namespace in " + ns.environment().name();
            if (!removal.sets().isEmpty() || !removal.segments().isEmpty()) {
                notes.add("removed from " + where + ": semaphore set(s) " + removal.sets() + ", segment(s) " + removal.segments()
                        + " (with the sets, every SEM_UNDO adjustment on them)");
            }
            if (!removal.attached().isEmpty()) {
                notes.add("left in " + where + ": attached segment(s) " + removal.attached());
            }
            if (removal.noSetLeft()) {
                setFree.add(ns);
            } else {
                notes.add("the semaphore sets of " + where + " were not all removed: " + removal.failure());
            }
        }
        return setFree;
    }
}
