package org.shmconform.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.shmconform.backends.Availability;
import org.shmconform.backends.BackendSemantics;
import org.shmconform.backends.Backends;
import org.shmconform.backends.GuardedBackend;
import org.shmconform.backends.SharedMemoryBackend;
import org.shmconform.harness.checker.ImplSemantics;
import org.shmconform.harness.engine.QtReferenceWorker;
import org.shmconform.reports.RunSummary;

/** The matrix's columns: every backend on the class path, then the Qt 6.4 reference worker. */
final class Columns {
    private Columns() {
    }

    static List<String> allNames() {
        List<String> names = new ArrayList<>(Backends.all().stream().map(SharedMemoryBackend::name).toList());
        names.add(QtReferenceWorker.IMPL);
        return names;
    }

    static RunSummary.Column describe(String name) {
        if (QtReferenceWorker.IMPL.equals(name)) {
            Availability a = QtReferenceWorker.availability();
            return new RunSummary.Column(name, "Qt 6.4's own QSharedMemory (System V build), qt-worker/qt_shm_worker.cpp",
                    a.available(), a.reason(), declared(ImplSemantics.QT_6_4));
        }
        // Guarded: a plug-in that throws is a NOT_AVAILABLE column with the reason, never a crash.
        GuardedBackend b = Backends.named(name).orElseThrow(() -> new Shmconform.UsageException(
                "no backend named '" + name + "'; known: " + String.join(", ", allNames())));
        Availability a = b.availability();
        return new RunSummary.Column(name, b.mechanism(), a.available(), a.reason(),
                b.declaration().map(Columns::declared).orElse(Map.of()));
    }

    private static Map<String, Object> declared(BackendSemantics s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("keySpace", s.keySpace());
        m.put("lastDetachDestroys", s.lastDetachDestroys());
        m.put("survivesCrash", s.survivesCrash());
        m.put("lockOnHolderDeath", s.lockOnHolderDeath().name());
        m.put("resize", s.resize().name());
        m.put("visibility", s.visibility().name());
        return m;
    }
}
