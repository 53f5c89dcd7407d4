package org.shmconform.harness.checker;

import java.util.Map;
import java.util.TreeMap;
import org.shmconform.backends.BackendSemantics;
import org.shmconform.backends.BackendSemantics.LockOnHolderDeath;
import org.shmconform.backends.BackendSemantics.Resize;
import org.shmconform.backends.BackendSemantics.Visibility;
import org.shmconform.backends.Backends;
import org.shmconform.backends.SharedMemoryBackend;
import org.shmconform.harness.engine.QtReferenceWorker;
import org.shmconform.harness.schedule.Schedule;
import org.shmconform.harness.schedule.WorkerSpec;

/** What each worker implementation declares: a backend's own declaration, or Qt 6.4's as observed on Linux. */
public final class ImplSemantics {
    /**
     * Qt 6.4 on Debian: System V only; shares the key space with the Java sysv backend (same key
     * files, same ftok), last detacher removes, SEM_UNDO releases a dead holder's lock; and create() (or a
 * re-attach by an object that once called create()) re-initialises the lock's semaphore to 1, which
 * lets a second holder in while the first still holds it (found by the lock-survives-failed-create scenario).
     */
    public static final BackendSemantics QT_6_4 = new BackendSemantics("qt-sysv", true, true, LockOnHolderDeath.RELEASED,
            Resize.NOT_RESIZABLE, Visibility.IPC_NAMESPACE, true);

    private ImplSemantics() {
    }

    public static BackendSemantics of(String impl) {
        if (QtReferenceWorker.IMPL.equals(impl)) {
            return QT_6_4;
        }
        return Backends.named(impl).map(SharedMemoryBackend::semantics)
                .orElseThrow(() -> new IllegalArgumentException("no backend named " + impl));
    }

    public static Map<String, BackendSemantics> forSchedule(Schedule schedule) {
        Map<String, BackendSemantics> m = new TreeMap<>();
        for (WorkerSpec w : schedule.workers()) {
            m.computeIfAbsent(w.impl(), ImplSemantics::of);
        }
        return m;
    }
}
