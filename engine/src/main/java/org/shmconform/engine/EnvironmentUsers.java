package org.shmconform.engine;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.shmconform.engine.env.Environment;

/**
 * How many schedules use each environment at this moment, in this JVM: what may be done to a group's IPC namespace between
 * schedules (removing what is left in it, {@link OwnNamespaceReaper}) may be done only while no schedule
 * uses the environment, since another schedule's sets there would go too. Counted, not assumed from a runner's lanes: runners
 * of one run context share environments.
 */
final class EnvironmentUsers {
    private static final Map<Environment, Integer> USERS = new IdentityHashMap<>();

    private EnvironmentUsers() {
    }

    static synchronized void enter(Environment env) {
        USERS.merge(env, 1, Integer::sum);
    }

    static synchronized void leave(Environment env) {
        USERS.computeIfPresent(env, (e, n) -> n == 1 ? null : n - 1);
    }

    /** Runs {@code action} if no schedule uses {@code env}, none starting meanwhile; else returns null. */
    static synchronized <T> T whileUnused(Environment env, Supplier<T> action) {
        return USERS.containsKey(env) ? null : action.get();
    }
}
