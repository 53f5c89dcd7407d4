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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.shmconform.backends.sysv.SysVObjects;
import org.shmconform.engine.launch.ProcessWorkerHandle;
import org.shmconform.engine.launch.WorkerCommand;
import org.shmconform.engine.state.PrivateDirectory;

/**
 * A semaphore set whose key file is gone before the ledger saw it (Qt 6.8 unlinks its platform-safe key file on a
 * last detach while the set lives on: the orphan 0x5100338f after a full run) is recorded from kernel facts while the
 * worker that operated it last lives, and reaped at the run's end; a set of the same shape made by a process that is
 * not a worker of the run is left alone. Real processes ({@link OrphanSemaphoreMaker}), real sets, a real SIGKILL.
 */
class SetsOfLiveWorkerTest {
    private static final Duration REAP = Duration.ofSeconds(30);
    private Path state;
    private Path keys;
    private RunContext run;
    private final List<Process> foreign = new ArrayList<>();
    private final List<WorkerProcess> workers = new ArrayList<>();
    private final Map<WorkerProcess, ProcessWorkerHandle> handles = new java.util.HashMap<>();
    /** id and key of each set this test made: removed at the end only if that id still has that key. */
    private final List<int[]> made = new ArrayList<>();

    @BeforeEach
    void privateState() throws IOException {
        state = Path.of("/run/shmconform-test-" + RunContext.letters(8));
        System.setProperty(RunContext.STATE_DIR_PROPERTY, state.toString());
        run = RunContext.create();
        // Outside the run's TMPDIRs and not named by its key prefix: the ledger's key-file watch never sees these files.
        keys = PrivateDirectory.createFresh(state.resolveSibling(state.getFileName() + "-keys"), "rwx------");
    }

    @AfterEach
    void cleanUp() throws InterruptedException {
        for (WorkerProcess w : workers) {
            w.killAndReap(REAP);
        }
        for (Process p : foreign) {
            p.destroyForcibly().waitFor();
        }
        for (int[] set : made) {
            SysVObjects.semaphoreSets().stream().filter(s -> s.id() == set[0] && s.key() == set[1])
                    .forEach(s -> SysVObjects.remove(s.obj()));
        }
        if (run != null) {
            run.close();
        }
        PrivateDirectory.deleteTree(keys);
        PrivateDirectory.deleteTree(state);
        PrivateDirectory.deleteTree(state.resolveSibling(state.getFileName() + "-share"));
        System.clearProperty(RunContext.STATE_DIR_PROPERTY);
    }

    private static List<String> makerCommand(String name, Path keysDir) {
        return List.of("-cp", System.getProperty("java.class.path"), "-XX:-UsePerfData", OrphanSemaphoreMaker.class.getName(),
                keysDir.resolve(name).toString(), keysDir.resolve(name + ".result").toString());
    }

    private static Path java() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    /** A maker started the way the engine starts a local worker, and made a worker of the run. */
    private WorkerProcess worker(String name) throws IOException {
        WorkerCommand command = new WorkerCommand(java(), makerCommand(name, keys), List.of(), Map.of(), null);
        ProcessWorkerHandle handle = ProcessWorkerHandle.start(command, command.program().toString());
        WorkerProcess w = new WorkerProcess(name, handle, run.logs().resolve(name + ".log"));
        w.recordOrphansIn(run.ledger());
        workers.add(w);
        handles.put(w, handle);
        return w;
    }

    /**
     * Tells a maker to make its orphan once the clock is in a whole second after now (a set's last-semop time has
     * whole seconds: a set made in the second its worker started proves nothing), and returns the set's id and key.
     */
    private int[] orphan(String name, OutputStream stdin) throws Exception {
        long nextSecond = (System.currentTimeMillis() / 1000 + 1) * 1000;
        for (long now = System.currentTimeMillis(); now < nextSecond; now = System.currentTimeMillis()) {
            Thread.sleep(nextSecond - now);
        }
        stdin.write("go\n".getBytes(StandardCharsets.US_ASCII));
        stdin.flush();
        Path result = keys.resolve(name + ".result");
        await().atMost(Duration.ofMinutes(2)).until(() -> Files.exists(result, LinkOption.NOFOLLOW_LINKS));
        String[] f = Files.readString(result).trim().split(" ");
        assertEquals(2, f.length, "the maker failed: " + String.join(" ", f));
        int[] set = {Integer.parseInt(f[0]), Integer.parseInt(f[1])};
        made.add(set);
        assertFalse(Files.exists(keys.resolve(name), LinkOption.NOFOLLOW_LINKS), "its key file is gone");
        assertTrue(exists(set), "the set lives on");
        return set;
    }

    private static boolean exists(int[] set) {
        return SysVObjects.semaphoreSets().stream().anyMatch(s -> s.id() == set[0] && s.key() == set[1]);
    }

    private boolean recorded(int[] set) {
        return Ledger.read(run.runDir()).stream().anyMatch(e -> e.kind().equals("sem") && e.fields().get(0).equals(Integer.toString(set[0])));
    }

    @Test
    void aSetWhoseKeyFileWentUnseenIsRecordedBeforeItsWorkerIsKilledAndReapedAtTheRunsEnd() throws Exception {
        WorkerProcess worker = worker("own");
        int[] set = orphan("own", handleStdin(worker));
        assertFalse(recorded(set), "no key file of the run named it: the ledger could not know it yet");

        worker.killAndReap(REAP); // a kill step's SIGKILL: the set outlives its maker

        assertTrue(recorded(set), "recorded from its last operator while that worker lived");
        assertTrue(exists(set), "recording removes nothing");
        run.close(); // the run's end
        run = null;
        assertFalse(exists(set), "reaped with the run");
    }

    @Test
    void aSetOfTheSameShapeMadeByAnotherProcessIsLeftAlone() throws Exception {
        WorkerProcess worker = worker("idle"); // a worker of the run, alive while the other process makes its set
        Process other = new ProcessBuilder(prepend(java().toString(), makerCommand("other", keys)))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        foreign.add(other);
        int[] set = orphan("other", other.getOutputStream()); // made after the run and the worker started, key file gone

        worker.killAndReap(REAP);
        other.destroyForcibly().waitFor();

        assertFalse(recorded(set), "another process's set is never the run's");
        run.close();
        run = null;
        assertTrue(exists(set), "left alone by the run's reaper");
    }

    private static List<String> prepend(String first, List<String> rest) {
        List<String> all = new ArrayList<>(List.of(first));
        all.addAll(rest);
        return all;
    }

    /** The worker's stdin, to say "go" (the engine's requests go the same way). */
    private OutputStream handleStdin(WorkerProcess w) {
        return handles.get(w).stdin();
    }
}
