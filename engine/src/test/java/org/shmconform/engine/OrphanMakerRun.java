package org.shmconform.engine;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.shmconform.backends.host.OfdLockFile;
import org.shmconform.backends.sysv.SysVObjects;
import org.shmconform.engine.launch.ProcessWorkerHandle;
import org.shmconform.engine.launch.WorkerCommand;
import org.shmconform.engine.state.PrivateDirectory;

/**
 * What {@link SetsOfLiveWorkerTest} and {@link SegmentsOfLiveWorkerTest} share: a run in a private state directory,
 * a key directory outside the run's TMPDIRs and not named by its key prefix (the ledger's key-file watch never sees
 * those files), maker processes started as the engine starts a local worker (workers of the run) or not (another
 * process), and the System V objects they made: each removed at the end only if its id still has its key.
 */
final class OrphanMakerRun implements AutoCloseable {
    static final Duration REAP = Duration.ofSeconds(30);

    /** How the test finds and removes the kind of object its maker makes, and the ledger's word for it. */
    record Kind(Class<?> maker, String ledgerKind, Predicate<int[]> exists, Consumer<int[]> remove) {
        /** Semaphore sets ({@code <id> <key>}), removed only while that id still has that key. */
        static Kind semaphores(Class<?> maker) {
            return new Kind(maker, "sem", Kind::setExists, set -> SysVObjects.semaphoreSets().stream()
                    .filter(s -> s.id() == set[0] && s.key() == set[1])
                    .forEach(s -> SysVObjects.remove(s.obj())));
        }

        static boolean setExists(int[] set) {
            return SysVObjects.semaphoreSets().stream().anyMatch(s -> s.id() == set[0] && s.key() == set[1]);
        }
    }

    private final Kind kind;
    private final Path state;
    private final Path keys;
    private RunContext run;
    private final List<Process> foreign = new ArrayList<>();
    private final List<WorkerProcess> workers = new ArrayList<>();
    private final Map<WorkerProcess, ProcessWorkerHandle> handles = new HashMap<>();
    /** id and key of each object a maker made. */
    private final List<int[]> made = new ArrayList<>();

    /**
     * The System V key files' turn, held from before the first maker until every object is removed: the makers' sets are
     * keyed by ftok of files on the machine's ext4, so a {@code shmconform run} beside this test (in any state directory
     * of the user) takes turns with them as with another run's schedules ({@link KeyFileTurns}).
     */
    private final OfdLockFile turn;

    OrphanMakerRun(Kind kind) throws IOException, InterruptedException {
        turn = KeyFileTurns.take();
        this.kind = kind;
        state = Path.of("/run/shmconform-test-" + RunContext.letters(8));
        try {
            System.setProperty(RunContext.STATE_DIR_PROPERTY, state.toString());
            run = RunContext.create();
            keys = PrivateDirectory.createFresh(state.resolveSibling(state.getFileName() + "-keys"), "rwx------");
        } catch (RuntimeException e) {
            System.clearProperty(RunContext.STATE_DIR_PROPERTY);
            turn.close(); // a run that never started must not keep every other run of the user waiting
            throw e;
        }
    }

    /** A maker started the way the engine starts a local worker, and made a worker of the run. */
    WorkerProcess worker(String name, String... args) throws IOException {
        WorkerCommand command = new WorkerCommand(java(), makerArguments(name, args), List.of(), Map.of(), null);
        ProcessWorkerHandle handle = ProcessWorkerHandle.start(command, command.program().toString());
        WorkerProcess w = new WorkerProcess(name, handle, run.logs().resolve(name + ".log"));
        w.recordOrphansIn(run.ledger());
        workers.add(w);
        handles.put(w, handle);
        return w;
    }

    /** A maker that is no worker of the run: another process of the machine. */
    Process otherProcess(String name, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(java().toString()));
        command.addAll(makerArguments(name, args));
        Process other = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        foreign.add(other);
        return other;
    }

    /** The worker's stdin, to say "go" (the engine's requests go the same way). */
    OutputStream stdin(WorkerProcess w) {
        return handles.get(w).stdin();
    }

    /** Tells a maker to make its orphan and returns the object's id and key, its key file gone and the object alive. */
    int[] orphan(String name, OutputStream stdin) throws Exception {
        stdin.write("go\n".getBytes(StandardCharsets.US_ASCII));
        stdin.flush();
        Path result = keys.resolve(name + ".result");
        await().atMost(Duration.ofMinutes(2)).until(() -> Files.exists(result, LinkOption.NOFOLLOW_LINKS));
        String[] f = Files.readString(result).trim().split(" ");
        assertEquals(2, f.length, "the maker failed: " + String.join(" ", f));
        int[] object = {Integer.parseInt(f[0]), Integer.parseInt(f[1])};
        made.add(object);
        assertFalse(Files.exists(keys.resolve(name), LinkOption.NOFOLLOW_LINKS), "its key file is gone");
        assertTrue(kind.exists().test(object), "the object lives on");
        return object;
    }

    /** An object a maker made that the test found by itself: removed at the end like the others. */
    void adopt(int[] object) {
        made.add(object);
    }

    /** The path a maker was given for its key file. */
    Path keyFile(String name) {
        return keys.resolve(name);
    }

    /** The lines a maker has written to its result file so far. */
    List<String> results(String name) throws IOException {
        Path result = keys.resolve(name + ".result");
        return Files.exists(result, LinkOption.NOFOLLOW_LINKS) ? Files.readAllLines(result) : List.of();
    }

    boolean recorded(int[] object) {
        return Ledger.read(run.runDir()).stream()
                .anyMatch(e -> e.kind().equals(kind.ledgerKind()) && e.fields().get(0).equals(Integer.toString(object[0])));
    }

    /** The run's end: its reaper's pass. */
    void endRun() {
        run.close();
        run = null;
    }

    private List<String> makerArguments(String name, String... args) {
        List<String> all = new ArrayList<>(List.of("-cp", System.getProperty("java.class.path"), "-XX:-UsePerfData",
                kind.maker().getName(), keys.resolve(name).toString(), keys.resolve(name + ".result").toString()));
        all.addAll(List.of(args));
        return all;
    }

    private static Path java() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    @Override
    public void close() throws InterruptedException {
        try {
            for (WorkerProcess w : workers) {
                w.killAndReap(REAP);
            }
            for (Process p : foreign) {
                p.destroyForcibly().waitFor();
            }
            for (int[] object : made) {
                if (kind.exists().test(object)) {
                    kind.remove().accept(object);
                }
            }
            if (run != null) {
                run.close();
            }
            PrivateDirectory.deleteTree(keys);
            PrivateDirectory.deleteTree(state);
            PrivateDirectory.deleteTree(state.resolveSibling(state.getFileName() + "-share"));
            System.clearProperty(RunContext.STATE_DIR_PROPERTY);
        } finally {
            turn.close(); // also when a kill was interrupted: the next run's schedules must get their turn
        }
    }
}
