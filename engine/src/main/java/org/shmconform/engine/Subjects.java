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

    private Subjects(List<Subject> subjects) {
        Map<String, Subject> m = new LinkedHashMap<>();
        for (Subject s : subjects) {
            m.putIfAbsent(s.name(), s);
        }
        this.byName = Collections.unmodifiableMap(m);
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
        return new Subjects(list);
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

    public List<Subject> all() {
        return List.copyOf(byName.values());
    }

    public Set<String> names() {
        return new LinkedHashSet<>(byName.keySet());
    }

    public Optional<Subject> named(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** Whether the column runs here; an unknown name is not available, with the names that are. */
    public Availability availability(String name) {
        return named(name).map(Subject::availability)
                .orElse(Availability.no("no column named '" + name + "'; known: " + String.join(", ", names())));
    }

    /** The names a schedule may use here: these columns and the environments. */
    public ScheduleValidation.Vocabulary vocabulary() {
        return new ScheduleValidation.Vocabulary(names(), new LinkedHashSet<>(Environments.names()));
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
