package org.shmconform.engine;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * How many schedules use each IPC namespace an environment made for a group, at this moment, in this JVM: what may be done
 * to a group's IPC namespace between schedules (removing what is left in it, {@link OwnNamespaceReaper}) may be done only
 * while no schedule uses that namespace, since another schedule's sets there would go too. A schedule in another group of
 * the same environment is in another namespace ({@link org.shmconform.engine.env.Environment#ownIpcNamespace} is per group),
 * so it does not stop the removal: a fuzz campaign's lanes, each in a group of its own, are reaped while the others run.
 * Counted, not assumed from a runner's lanes: runners of one run context share environments.
 */
final class EnvironmentUsers {
    private static final Map<OwnNamespaceReaper.Namespace, Integer> USERS = new HashMap<>();

    private EnvironmentUsers() {
    }

    static synchronized void enter(OwnNamespaceReaper.Namespace ns) {
        USERS.merge(ns, 1, Integer::sum);
    }

    static synchronized void leave(OwnNamespaceReaper.Namespace ns) {
        USERS.computeIfPresent(ns, (e, n) -> n == 1 ? null : n - 1);
    }

    /** Runs {@code action} if no schedule uses {@code ns}, none starting meanwhile; else returns null. */
    static synchronized <T> T whileUnused(OwnNamespaceReaper.Namespace ns, Supplier<T> action) {
        return USERS.containsKey(ns) ? null : action.get();
    }
}
