package org.shmconform.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.shmconform.backends.Backends;
import org.shmconform.backends.GuardedBackend;
import org.shmconform.checker.Declarations;
import org.shmconform.engine.env.Environments;
import org.shmconform.model.ReferenceSemantics;
import org.shmconform.schedule.ScheduleValidation;
import org.shmconform.spi.Availability;
import org.shmconform.spi.BackendSemantics;

/**
 * The columns here, each probed once: every backend on the class path (guarded, so a broken
 * plug-in is a NOT_AVAILABLE column with its reason), then the real-Qt reference workers. A
 * backend's {@code availability()} makes kernel objects to find out; it is asked once per process,
 * not once per worker or schedule.
 */
public final class Subjects implements Declarations {
    private static Subjects here;
    private final Map<String, Subject> byName;
    /** Workers a scenario may start next to a column, which are not columns themselves (no suite runs on them). */
    private final Map<String, Subject> partners;

    private Subjects(List<Subject> subjects, List<Subject> partnerOnly) {
        Map<String, Subject> m = new LinkedHashMap<>();
        for (Subject s : subjects) {
            m.putIfAbsent(s.name(), s);
        }
        this.byName = Collections.unmodifiableMap(m);
        Map<String, Subject> p = new LinkedHashMap<>();
        for (Subject s : partnerOnly) {
            if (!m.containsKey(s.name())) {
                p.putIfAbsent(s.name(), s);
            }
        }
        this.partners = Collections.unmodifiableMap(p);
    }

    /** The columns of this machine, probed on first use. */
    public static synchronized Subjects here() {
        if (here == null) {
            here = probe();
        }
        return here;
    }

    private static Subjects probe() {
        List<Subject> list = new ArrayList<>();
        for (GuardedBackend b : Backends.guarded()) {
            list.add(javaBackend(b));
        }
        list.add(qt64());
        list.addAll(Qt68Columns.all());
        return new Subjects(list, List.of(qtFileMap()));
    }

    private static Subject javaBackend(GuardedBackend b) {
        Availability a = b.availability();
        BackendSemantics declared = b.declaration().orElse(null);
        return new Subject(b.name(), b.mechanism(), a, declared, "declared:" + b.name(), new Subject.JavaWorker(b.name()));
    }

    private static Subject qt64() {
        return new Subject(QtReferenceWorker.IMPL, "Qt 6.4's own QSharedMemory (System V build), qt-worker/qt_shm_worker.cpp",
                QtReferenceWorker.availability(), ReferenceSemantics.QT_6_4, "qt-6.4", new Subject.NativeWorker(QtReferenceWorker.PROGRAM));
    }

    /**
     * The Qt 6.4 worker in file-map mode (seed M2): a partner of the mmapfile column in scenario
     * qt-file-map-meets-mmapfile, reached by native name ({@code native-name:mmapfile:<key>}, the Java backend's file).
     * Its key space is its own (a plain key would name a file in its TMPDIR), its files are in /dev/shm like
     * mmapfile's. Only the key space and the visibility of a partner's declaration are read (the schedule is judged
     * under its column's profile); the rest says what it does: detach never removes the file (lastDetachDestroys
     * false), the file outlives a crash, a peer can shrink it; it has no lock (lock() gives LockError), so
     * lockOnHolderDeath is moot.
     */
    private static Subject qtFileMap() {
        return new Subject(QtReferenceWorker.FILE_MAP_IMPL, "Qt 6.4's QFile::map (no MapPrivateOption) on a file named by"
                + " path, qt-worker/qt_shm_worker.cpp --key-mode=file-map; partner-only worker",
                QtReferenceWorker.availability(),
                new BackendSemantics(QtReferenceWorker.FILE_MAP_IMPL, false, true, BackendSemantics.LockOnHolderDeath.RELEASED,
                        BackendSemantics.Resize.SHRINKABLE, BackendSemantics.Visibility.DEV_SHM_MOUNT),
                "qt-6.4-file-map", new Subject.NativeWorker(QtReferenceWorker.FILE_MAP_PROGRAM));
    }

    /** The partner-only workers (not columns): named, started and judged like a column's, never run as a column. */
    public List<Subject> partners() {
        return List.copyOf(partners.values());
    }

    public List<Subject> all() {
        return List.copyOf(byName.values());
    }

    public Set<String> names() {
        return new LinkedHashSet<>(byName.keySet());
    }

    /** A column, or a partner-only worker, by name. */
    public Optional<Subject> named(String name) {
        return Optional.ofNullable(byName.getOrDefault(name, partners.get(name)));
    }

    /**
     * Whether the column's worker (or a partner-only worker) is a JVM ({@link Subject.JavaWorker}); {@code ifUnknown} for
     * a name this machine does not know (the dearer kind, true, where a cost is weighed).
     */
    public boolean jvmWorker(String name, boolean ifUnknown) {
        return named(name).map(s -> s.start() instanceof Subject.JavaWorker).orElse(ifUnknown);
    }

    /** Whether the column runs here; an unknown name is not available, with the names that are. */
    public Availability availability(String name) {
        return named(name).map(Subject::availability)
                .orElse(Availability.no("no column named '" + name + "'; known: " + String.join(", ", names())));
    }

    /** The names a schedule may use here: these columns, the partner-only workers and the environments. */
    public ScheduleValidation.Vocabulary vocabulary() {
        Set<String> impls = names();
        impls.addAll(partners.keySet());
        return new ScheduleValidation.Vocabulary(impls, new LinkedHashSet<>(Environments.names()));
    }

    @Override
    public BackendSemantics semantics(String impl) {
        Subject s = named(impl).orElseThrow(() -> new IllegalArgumentException("no column named " + impl));
        if (s.declared() == null) {
            throw new IllegalArgumentException("column " + impl + " has no readable declaration: " + s.availability().reason());
        }
        return s.declared();
    }

    @Override
    public String profileName(String impl) {
        return named(impl).map(Subject::profileName).orElse("declared:" + impl);
    }
}
