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
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.shmconform.backends.sysv.SysVObjects;
import org.shmconform.backends.sysv.SysVObjects.Segment;
import org.shmconform.engine.launch.ProcessWorkerHandle;
import org.shmconform.engine.launch.WorkerCommand;
import org.shmconform.engine.state.PrivateDirectory;

/**
 * A segment whose key file is gone before the ledger saw it (Qt 6.8 unlinks its platform-safe key file while the
 * segment lives on: nattch-0 segments keyed 0x51......, creator = last attacher, after a fuzz campaign of the
 * qt68-sysv columns) is recorded from kernel facts while the worker that made it lives, and reaped at the run's end;
 * a segment of the same shape made by a process that is not a worker of the run is left alone. Real processes
 * ({@link OrphanSegmentMaker}), real segments, a real SIGKILL.
 */
class SegmentsOfLiveWorkerTest {
    private static final Duration REAP = Duration.ofSeconds(30);
    private Path state;
    private Path keys;
    private RunContext run;
    private final List<Process> foreign = new ArrayList<>();
    private final List<WorkerProcess> workers = new ArrayList<>();
    private final Map<WorkerProcess, ProcessWorkerHandle> handles = new HashMap<>();
    /** id and key of each segment this test made: removed at the end only if that id still has that key. */
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
        for (int[] segment : made) {
            find(segment).ifPresent(s -> SysVObjects.remove(s.obj()));
        }
        if (run != null) {
            run.close();
        }
        PrivateDirectory.deleteTree(keys);
        PrivateDirectory.deleteTree(state);
        PrivateDirectory.deleteTree(state.resolveSibling(state.getFileName() + "-share"));
        System.clearProperty(RunContext.STATE_DIR_PROPERTY);
    }

    private static List<String> makerCommand(String name, Path keysDir, String mode) {
        return List.of("-cp", System.getProperty("java.class.path"), "-XX:-UsePerfData", OrphanSegmentMaker.class.getName(),
                keysDir.resolve(name).toString(), keysDir.resolve(name + ".result").toString(), mode);
    }

    private static Path java() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    /** A maker started the way the engine starts a local worker, and made a worker of the run. */
    private WorkerProcess worker(String name, String mode) throws IOException {
        WorkerCommand command = new WorkerCommand(java(), makerCommand(name, keys, mode), List.of(), Map.of(), null);
        ProcessWorkerHandle handle = ProcessWorkerHandle.start(command, command.program().toString());
        WorkerProcess w = new WorkerProcess(name, handle, run.logs().resolve(name + ".log"));
        w.recordOrphansIn(run.ledger());
        workers.add(w);
        handles.put(w, handle);
        return w;
    }

    /** Tells a maker to make its orphan and returns the segment's id and key. */
    private int[] orphan(String name, OutputStream stdin) throws Exception {
        stdin.write("go\n".getBytes(StandardCharsets.US_ASCII));
        stdin.flush();
        Path result = keys.resolve(name + ".result");
        await().atMost(Duration.ofMinutes(2)).until(() -> Files.exists(result, LinkOption.NOFOLLOW_LINKS));
        String[] f = Files.readString(result).trim().split(" ");
        assertEquals(2, f.length, "the maker failed: " + String.join(" ", f));
        int[] segment = {Integer.parseInt(f[0]), Integer.parseInt(f[1])};
        made.add(segment);
        assertFalse(Files.exists(keys.resolve(name), LinkOption.NOFOLLOW_LINKS), "its key file is gone");
        assertTrue(find(segment).isPresent(), "the segment lives on");
        return segment;
    }

    private static Optional<Segment> find(int[] segment) {
        return SysVObjects.segments().stream().filter(s -> s.id() == segment[0] && s.key() == segment[1]).findFirst();
    }

    private boolean recorded(int[] segment) {
        return Ledger.read(run.runDir()).stream()
                .anyMatch(e -> e.kind().equals("shm") && e.fields().get(0).equals(Integer.toString(segment[0])));
    }

    @Test
    void aSegmentWhoseKeyFileWentUnseenIsRecordedBeforeItsWorkerIsKilledAndReapedAtTheRunsEnd() throws Exception {
        WorkerProcess worker = worker("own", "attached");
        int[] segment = orphan("own", handleStdin(worker));
        assertFalse(recorded(segment), "no key file of the run named it: the ledger could not know it yet");

        long pid = worker.hostPid().getAsLong();
        worker.killAndReap(REAP); // a kill step's SIGKILL: the segment outlives its maker

        Segment left = find(segment).orElseThrow();
        assertEquals(0, left.nattch(), "the kill detached it");
        assertEquals(pid, left.cpid(), "made by the killed worker");
        assertEquals(pid, left.lpid(), "and detached last by it (its exit): the shape of the leak");
        assertTrue(recorded(segment), "recorded from its creator while that worker lived");
        run.close(); // the run's end
        run = null;
        assertFalse(find(segment).isPresent(), "reaped with the run");
    }

    @Test
    void aSegmentItsWorkerMadeButNeverAttachedIsRecordedByItsCreatorAlone() throws Exception {
        WorkerProcess worker = worker("bare", "unattached");
        int[] segment = orphan("bare", handleStdin(worker));
        assertEquals(0, find(segment).orElseThrow().lpid(), "never attached: no last attacher to prove anything");

        worker.killAndReap(REAP);

        assertTrue(recorded(segment), "its creator, alive and made after the listing read at its start, proves it");
        run.close();
        run = null;
        assertFalse(find(segment).isPresent(), "reaped with the run");
    }

    @Test
    void aSegmentOfTheSameShapeMadeByAnotherProcessIsLeftAlone() throws Exception {
        WorkerProcess worker = worker("idle", "attached"); // a worker of the run, alive while the other process makes its segment
        Process other = new ProcessBuilder(prepend(java().toString(), makerCommand("other", keys, "attached")))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        foreign.add(other);
        int[] segment = orphan("other", other.getOutputStream()); // made after the run and the worker started, key file gone

        worker.killAndReap(REAP);
        other.destroyForcibly().waitFor();

        assertEquals(other.pid(), find(segment).orElseThrow().lpid(), "the other process detached it last, dying");
        assertFalse(recorded(segment), "another process's segment is never the run's");
        run.close();
        run = null;
        assertTrue(find(segment).isPresent(), "left alone by the run's reaper");
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
