package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.shmconform.schedule.Steps.create;
import static org.shmconform.schedule.Steps.detach;
import static org.shmconform.schedule.Steps.isAttached;
import static org.shmconform.schedule.Steps.kill;
import static org.shmconform.schedule.Steps.read;
import static org.shmconform.schedule.Steps.spawnChild;
import static org.shmconform.schedule.Steps.write;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.shmconform.checker.PropertyResult;
import org.shmconform.checker.ScheduleChecker;
import org.shmconform.checker.Verdict;
import org.shmconform.engine.env.LocalEnvironment;
import org.shmconform.history.EventType;
import org.shmconform.history.Execution;
import org.shmconform.history.HistoryEvent;
import org.shmconform.model.Property;
import org.shmconform.schedule.Schedule;
import org.shmconform.schedule.Step;
import org.shmconform.schedule.WorkerSpec;

/**
 * spawnChild on real memfd-fd workers (seed L5, "let a child process inherit it"): the child is a real
 * process whose parent is the parent worker (PPid, read from /proc while it runs), it attaches
 * through the inherited descriptor and shares the parent's bytes, it outlives a SIGKILL of its parent,
 * and the engine kills and reaps it like any worker.
 */
class SpawnChildTest {
    private static final String COLUMN = "memfd-fd";
    private static RunContext run;

    @BeforeAll
    static void start() {
        run = RunContext.create();
    }

    @AfterAll
    static void stop() {
        run.close();
    }

    private static Execution execute(List<String> workers, Step... steps) throws InterruptedException {
        ScheduleRunner runner = new ScheduleRunner(run, Map.of(LocalEnvironment.NAME, new LocalEnvironment()),
                ScheduleRunner.Timing.defaults());
        Schedule s = new Schedule("spawn-child-test", null, workers.stream().map(w -> WorkerSpec.local(w, COLUMN)).toList(),
                Arrays.asList(steps));
        assertEquals(null, runner.unavailableReason(s), COLUMN + " workers cannot run here");
        return runner.run(s);
    }

    private static HistoryEvent completion(Execution x, String process, String f, int nth) {
        List<HistoryEvent> done = x.history().events().stream()
                .filter(e -> e.process().equals(process) && e.f().equals(f) && e.type() != EventType.invoke).toList();
        assertTrue(done.size() > nth, "no completion " + nth + " of " + f + " by " + process + " in\n" + x.history().toJsonLines());
        return done.get(nth);
    }

    private static String text(String hex) {
        return new String(java.util.HexFormat.of().parseHex(hex), StandardCharsets.UTF_8);
    }

    @Test
    void theChildIsTheParentsProcessSharesItsSegmentAndOutlivesItsDeath() throws Exception {
        // The child sleeps while this thread finds it in /proc: its PPid must be the parent worker's pid.
        CompletableFuture<Execution> running = CompletableFuture.supplyAsync(() -> {
            try {
                return execute(List.of("A", "C"), create("A", "k", 4096), write("A", 0, "from-parent"), spawnChild("A", "C"),
                        read("C", 0, 11), write("C", 16, "from-child"), read("A", 16, 10), Step.of("C", "sleep").ms(3000),
                        kill("A"), read("C", 0, 11), isAttached("C"), kill("C"));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        long[] childAndParent = null;
        for (int i = 0; i < 1200 && childAndParent == null && !running.isDone(); i++) {
            childAndParent = inheritingWorkerOfThisRun();
            Thread.sleep(50); // looking, not deciding: the assertions below are on what was found
        }
        Execution x = running.get();
        assertNotNull(childAndParent, "no process of this run was started with --inherited\n" + x.history().toJsonLines());
        assertEquals(x.workers().get("A").pid(), childAndParent[1], "the child's PPid is the parent worker");
        assertEquals(x.workers().get("C").pid(), childAndParent[0], "the child that said hello is that process");
        assertTrue(x.problems().isEmpty(), x.problems() + "\n" + x.history().toJsonLines());
        assertEquals(EventType.ok, completion(x, "A", "spawnChild", 0).type(), x.history().toJsonLines());
        assertEquals("from-parent", text(completion(x, "C", "read", 0).data()));
        assertEquals("from-child", text(completion(x, "A", "read", 0).data()));
        assertEquals("from-parent", text(completion(x, "C", "read", 1).data()), "the child keeps the segment after its parent's death");
        assertEquals("true", completion(x, "C", "isAttached", 0).value());
        // The orphan (its parent was killed) is killed through its pidfd and waited for like any worker.
        assertEquals(137, x.workers().get("C").exitStatus(), x.history().toJsonLines());
        assertGone(x.workers().get("C").pid());
        List<PropertyResult> verdicts = ScheduleChecker.check(x, COLUMN, List.of(Property.DATA_SHARED), Subjects.here()).results();
        assertEquals(Verdict.PASS, verdicts.get(0).verdict(), verdicts.toString());
    }

    @Test
    void aParentWithoutADescriptorStartsAFreshChildWhichTheEngineKills() throws Exception {
        Execution x = execute(List.of("B", "D"), spawnChild("B", "D"), isAttached("D"), Step.of("D", "sleep").ms(1), kill("D"),
                isAttached("B"));
        assertEquals(EventType.fail, completion(x, "B", "spawnChild", 0).type(), x.history().toJsonLines());
        assertEquals("NotFound", completion(x, "B", "spawnChild", 0).error());
        assertEquals("false", completion(x, "D", "isAttached", 0).value());
        HistoryEvent killed = x.history().events().stream().filter(e -> "kill".equals(e.f()) && e.type() == EventType.ok)
                .findFirst().orElseThrow();
        assertEquals(137, killed.exitStatus(), x.history().toJsonLines());
        assertGone(x.workers().get("D").pid());
        assertTrue(x.problems().isEmpty(), x.problems().toString());
    }

    @Test
    void anotherUsersChildGetsFifosItCanOpenButNotReplace() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(org.shmconform.engine.state.PrivateDirectory.myUid() == 0,
                "a worker as nobody needs root: run the tests as root");
        ScheduleRunner runner = new ScheduleRunner(run, Map.of(LocalEnvironment.NAME, new LocalEnvironment()),
                ScheduleRunner.Timing.defaults());
        Schedule s = new Schedule("spawn-child-nobody-test", null, List.of(new WorkerSpec("P", COLUMN, "local", "g", "nobody"),
                new WorkerSpec("Q", COLUMN, "local", "g", "nobody")), List.of(create("P", "k", 4096), write("P", 0, "from-parent"),
                spawnChild("P", "Q"), read("Q", 0, 11), Step.of("Q", "sleep").ms(3000), kill("Q")));
        assertEquals(null, runner.unavailableReason(s), COLUMN + " workers cannot run here as nobody");
        CompletableFuture<Execution> running = CompletableFuture.supplyAsync(() -> {
            try {
                return runner.run(s);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        // The child's stdin is its FIFO: where it is, read while the child sleeps.
        Path stdin = null;
        for (int i = 0; i < 1200 && stdin == null && !running.isDone(); i++) {
            long[] childAndParent = inheritingWorkerOfThisRun();
            if (childAndParent != null) {
                try {
                    stdin = Files.readSymbolicLink(Path.of("/proc", Long.toString(childAndParent[0]), "fd", "0"));
                } catch (IOException e) {
                    // not there yet, or gone
                }
            }
            Thread.sleep(50); // looking, not deciding: the assertions below are on what was found
        }
        Execution x = running.get();
        assertTrue(x.problems().isEmpty(), x.problems() + "\n" + x.history().toJsonLines());
        assertEquals(EventType.ok, completion(x, "P", "spawnChild", 0).type(), x.history().toJsonLines());
        assertEquals("from-parent", text(completion(x, "Q", "read", 0).data()), "the child reached its FIFOs as nobody");
        assertNotNull(stdin, "the child's stdin was never seen");
        // They were made where only the harness writes: nobody may pass through, not list, rename or replace.
        Path dir = run.childFifoDirectory();
        assertEquals(dir, stdin.getParent(), "the child's stdin FIFO " + stdin);
        java.nio.file.attribute.PosixFileAttributes a = Files.readAttributes(dir, java.nio.file.attribute.PosixFileAttributes.class,
                java.nio.file.LinkOption.NOFOLLOW_LINKS);
        assertEquals("rwx--x--x", java.nio.file.attribute.PosixFilePermissions.toString(a.permissions()));
        assertEquals(org.shmconform.engine.state.PrivateDirectory.myUid(), org.shmconform.engine.state.PrivateDirectory.uidOf(dir));
        assertTrue(AttacksAsNobodyTest.asNobody("touch " + dir.resolve("planted")) != 0
                && !Files.exists(dir.resolve("planted"), java.nio.file.LinkOption.NOFOLLOW_LINKS), "nobody could make a file among the FIFOs");
        try (DirectoryStream<Path> left = Files.newDirectoryStream(dir)) {
            assertTrue(!left.iterator().hasNext(), "the child's FIFOs are removed after the schedule");
        }
    }

    /** The process is gone, or a zombie its new parent has not reaped yet (its exit has run: nothing of it is left). */
    private static void assertGone(long pid) throws IOException {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        if (Files.exists(stat)) {
            String s = Files.readString(stat);
            assertEquals('Z', s.charAt(s.lastIndexOf(')') + 2), "still running: " + s);
        }
    }

    /** {pid, PPid} of a worker of this run started with --inherited, or null. */
    private static long[] inheritingWorkerOfThisRun() throws IOException {
        // This JVM's descendants only (the child is its worker's child until that worker dies): a look of a few processes,
        // not of every process's environ, which beside a busy run could outlast the window the child sleeps in.
        List<Path> procs = ProcessHandle.current().descendants().map(h -> Path.of("/proc", Long.toString(h.pid()))).toList();
        for (Path proc : procs) {
            try {
                List<String> env = Arrays.asList(new String(Files.readAllBytes(proc.resolve("environ")), StandardCharsets.UTF_8).split("\0"));
                List<String> cmd = Arrays.asList(new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8).split("\0"));
                if (env.contains("SHMCONFORM_RUN=" + run.runId()) && cmd.contains("--inherited")) {
                    for (String line : Files.readAllLines(proc.resolve("status"))) {
                        if (line.startsWith("PPid:")) {
                            return new long[] {Long.parseLong(proc.getFileName().toString()), Long.parseLong(line.substring(5).trim())};
                        }
                    }
                }
            } catch (IOException e) {
                // a process that ended while we looked
            }
        }
        return null;
    }
}
