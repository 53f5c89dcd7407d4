package org.shmconform.engine;

import org.shmconform.engine.launch.WorkerCommand;
import java.lang.reflect.RecordComponent;
import java.util.LinkedHashMap;
import java.util.Map;
import org.shmconform.spi.Availability;
import org.shmconform.spi.BackendSemantics;

/**
 * One column of the matrix: a Java backend, or a reference worker on real Qt. Everything the rest
 * of the product needs to know of a column is here, probed once ({@link Subjects}): nothing else
 * special-cases a column by its name.
 *
 * @param name         the column's name in schedules and reports ("sysv", "qt")
 * @param mechanism    one line: what the column is made of
 * @param availability whether it runs here, and if not the reason and the command that fixes it
 * @param declared     the semantics it declares (null when the declaration could not be read: then it
 *                     is not available either)
 * @param profileName  the declared profile's name in reports ("declared:sysv", "qt-6.4")
 * @param start        how its worker is started
 */
public record Subject(String name, String mechanism, Availability availability, BackendSemantics declared,
                      String profileName, Start start) {

    /** How a column's worker process is started. */
    public sealed interface Start permits JavaWorker, NativeWorker, LaunchedWorker {
        /** How the column's worker was built and where it lives, for {@code shmconform list}; empty if nothing to say. */
        default String provenance() {
            return "";
        }
    }

    /** The Java worker main on the worker class path, given the backend's name. */
    public record JavaWorker(String backend) implements Start {
    }

    /** A native worker program (the Qt reference worker), built and verified by its owner. */
    public record NativeWorker(NativeProgram program) implements Start {
        @Override
        public String provenance() {
            return program.provenance();
        }
    }

    /**
     * A worker its owner starts through a launcher of its own, with directories of the run (the Qt 6.8
     * worker in its Debian 13 root: a launcher that needs root, TMPDIR and XDG_RUNTIME_DIR bound in).
     */
    public record LaunchedWorker(Launch launch) implements Start {
        @Override
        public String provenance() {
            return launch.provenance();
        }
    }

    /** Builds a launched worker's command for one worker of a run. */
    public interface Launch {
        /**
         * @param run         the run (its per-user directories)
         * @param environment what every worker gets (TMPDIR, the run's id)
         * @param tmpdirSlot  null for the run's shared TMPDIR, or the name of a separate one
         * @param user        the worker's user, null for the harness's own; the launcher switches to it
         *                    itself, so the command's {@link WorkerCommand#user()} is null
         */
        WorkerCommand command(RunContext run, java.util.Map<String, String> environment, String tmpdirSlot, String user);

        /** How it was built and where it lives. */
        String provenance();
    }

    /** A native worker program's owner: it builds, verifies and hands out the binary. */
    public interface NativeProgram {
        /** The verified binary, for a worker that runs as the harness's own user. */
        java.nio.file.Path binary();

        /** A verified copy readable by another user, in {@code dir} (made by the owner, 0755, ours). */
        java.nio.file.Path copyFor(java.nio.file.Path dir);

        /** How it was built and where it lives. */
        default String provenance() {
            return "";
        }

        /** The arguments every worker of this program is started with (none by default). */
        default java.util.List<String> arguments() {
            return java.util.List.of();
        }

        /** Whether the program can be a fork server of its workers ({@code WorkerProtocol.ForkServer}). */
        default boolean forksWorkers() {
            return false;
        }
    }

    /**
     * The declaration as it appears in results.json: every component of {@link BackendSemantics},
     * by its own name, so the report cannot leave one out.
     */
    public Map<String, Object> declaredFields() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (declared == null) {
            return m;
        }
        for (RecordComponent c : BackendSemantics.class.getRecordComponents()) {
            try {
                Object v = c.getAccessor().invoke(declared);
                m.put(c.getName(), v instanceof Enum<?> e ? e.name() : v);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot read " + c.getName() + " of a declaration", e);
            }
        }
        return m;
    }
}
