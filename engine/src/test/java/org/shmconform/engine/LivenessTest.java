package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.shmconform.backends.QtKeys;

/**
 * Liveness is a lock, not a pid: a harness in a private pid namespace (which cannot see this one's
 * pid) leaves this live run untouched; a harness killed with SIGKILL is reaped by the next run,
 * objects and leftover workers included, and only workers the dead run's id and TMPDIR prove its own.
 */
class LivenessTest {
    private Path state;
    private final List<Process> started = new ArrayList<>();

    @BeforeEach
    void privateState() {
        state = PrivateState.use();
    }

    @AfterEach
    void cleanUp() {
        started.forEach(Process::destroyForcibly);
        Reaper.reapDeadRuns();
        PrivateState.remove(state);
    }

    private Process otherHarness(boolean privatePidNamespace, String mode) throws Exception {
        List<String> argv = new ArrayList<>();
        if (privatePidNamespace) {
            argv.addAll(List.of("unshare", "--pid", "--fork", "--kill-child", "--mount-proc"));
        }
        argv.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), "-XX:-UsePerfData", "-D" + RunContext.STATE_DIR_PROPERTY + "=" + state,
                OtherHarness.class.getName(), mode));
        Process p = new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        started.add(p);
        return p;
    }

    @Test
    void aRunInAPrivatePidNamespaceLeavesALiveRunUntouched() throws Exception {
        try (RunContext live = RunContext.create()) {
            String prefix = live.nextExecutionPrefix();
            Path object = Path.of("/dev/shm", QtKeys.platformSafeName(prefix + "live", QtKeys.SHARED_MEMORY_PREFIX));
            Files.writeString(object, "live");
            Path keyFile = Files.createFile(QtKeys.systemVKeyFile(live.workerTmp(), prefix + "live", QtKeys.SHARED_MEMORY_PREFIX));
            try {
                Process other = otherHarness(true, "start-up");
                String out = new String(other.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(other.waitFor(120, TimeUnit.SECONDS));
                assertEquals(0, other.exitValue(), out);
                assertTrue(out.contains("done "), out);
                assertEquals("live", Files.readString(object), "the live run's /dev/shm object is untouched");
                assertTrue(Files.exists(keyFile), "its key file too");
                assertTrue(Files.isDirectory(live.runDir()), "and its directory");
                assertEquals(org.shmconform.backends.host.OfdLockFile.Outcome.HELD, RunContext.lockIfDead(live.runDir()).outcome(), "its lock is still held");
            } finally {
                Files.deleteIfExists(object);
            }
        }
    }

    /**
     * Old class-data archives and worker jars are pruned only while no other run lives: a run beside a verify of
     * another build lost its worker jars (UNKNOWN: "Could not find or load main class").
     */
    @Test
    void theCacheIsPrunedOnlyWhileNoOtherRunLives() throws Exception {
        Path cache = RunContext.cacheDir();
        Path oldJar = Files.createDirectories(cache.resolve("worker-jar-0000000000000000"));
        Files.setLastModifiedTime(oldJar, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - TimeUnit.HOURS.toMillis(2)));
        try (RunContext mine = RunContext.create()) {
            assertFalse(WorkerClassDataSharing.anotherRunLives(), "this JVM's own run is no other run");
            Process other = otherHarness(false, "hold");
            String[] ready = new BufferedReader(new InputStreamReader(other.getInputStream(), StandardCharsets.UTF_8)).readLine().split(" ");
            assertEquals("ready", ready[0]);
            assertTrue(WorkerClassDataSharing.anotherRunLives(), "a run held by another process lives");
            other.destroyForcibly();
            assertTrue(other.waitFor(60, TimeUnit.SECONDS));
            assertFalse(WorkerClassDataSharing.anotherRunLives(), "a killed run's lock is free");
        }
        WorkerClassDataSharing.forgetOldArchives(cache, List.of(), System.currentTimeMillis());
        assertFalse(Files.exists(oldJar), "an old worker jar is pruned when nobody else lives");
    }

    @Test
    void aKilledRunIsReapedWithItsLeftoverWorkerAndNothingElse() throws Exception {
        Process other = otherHarness(true, "hold");
        String[] ready = new BufferedReader(new InputStreamReader(other.getInputStream(), StandardCharsets.UTF_8)).readLine().split(" ");
        assertEquals("ready", ready[0]);
        String deadId = ready[1];
        Path object = Path.of(ready[2]);
        Path tmp = Path.of(ready[3]);
        assertTrue(Files.exists(object));
        String worker = "org.shmconform.worker.WorkerMain";
        // A leftover "worker" of the dead run (blocked forever), a process with its marks but not a worker,
        // and a worker-looking process of no run: only the first is the dead run's.
        Process leftover = bash("exec -a " + worker + " sleep 600", deadId, tmp);
        Process notAWorker = bash("exec sleep 600", deadId, tmp);
        Process otherRuns = bash("exec -a " + worker + " sleep 600", "abcdef", tmp);
        other.destroyForcibly().waitFor(); // SIGKILL to unshare, which SIGKILLs the harness (--kill-child): it dies holding its lock
        awaitDead(state.resolve("runs").resolve(deadId));
        try (RunContext next = RunContext.create()) {
            assertFalse(Files.exists(object, LinkOption.NOFOLLOW_LINKS), "the dead run's /dev/shm object is reaped");
            assertFalse(Files.exists(state.resolve("runs").resolve(deadId), LinkOption.NOFOLLOW_LINKS), "and its directory");
            assertTrue(leftover.waitFor(30, TimeUnit.SECONDS), "its leftover worker is killed");
            assertEquals(137, leftover.exitValue());
            assertTrue(notAWorker.isAlive(), "a process that is not a worker is not");
            assertTrue(otherRuns.isAlive(), "nor a worker of another run");
        }
    }

    /**
     * The next run's start-up reaper, after a harness was SIGKILLed: another program's segment and set (semget, then
     * SETVAL) at the ftok values of key files in the dead run's TMPDIR, made after those files by the same user, are not
     * the dead run's to take (nothing recorded them: its workers are gone and prove nothing), so they survive, and a
     * line on stderr names each as left; the key files go. Both were removed before (checked: the dead run's key files
     * took the objects at their ftok values).
     */
    @Test
    @org.junit.jupiter.api.extension.ExtendWith(TakesTheKeyFileTurn.class)
    void theNextRunLeavesAndNamesAnotherProgramsObjectsAtADeadRunsKeyFiles() throws Exception {
        Process other = otherHarness(false, "hold");
        String[] ready = new BufferedReader(new InputStreamReader(other.getInputStream(), StandardCharsets.UTF_8)).readLine().split(" ");
        assertEquals("ready", ready[0]);
        String deadId = ready[1];
        Path tmp = Path.of(ready[3]);
        other.destroyForcibly().waitFor();
        awaitDead(state.resolve("runs").resolve(deadId));
        // The dead run's key files, as a worker of it would have left them, and another program's objects at their keys.
        String key = RunContext.KEY_PREFIX + deadId + "x";
        Path segmentsFile = Files.createFile(QtKeys.systemVKeyFile(tmp, key, QtKeys.SHARED_MEMORY_PREFIX));
        Path setsFile = Files.createFile(QtKeys.systemVKeyFile(tmp, key, QtKeys.SYSTEM_SEMAPHORE_PREFIX));
        org.shmconform.backends.linux.LibC c = org.shmconform.backends.linux.LibC.INSTANCE;
        int segment = c.shmget(c.ftok(segmentsFile.toString(), 'Q'), 64, 0600 | org.shmconform.backends.linux.LibC.IPC_CREAT
                | org.shmconform.backends.linux.LibC.IPC_EXCL);
        int set = c.semget(c.ftok(setsFile.toString(), 'Q'), 1, 0600 | org.shmconform.backends.linux.LibC.IPC_CREAT
                | org.shmconform.backends.linux.LibC.IPC_EXCL);
        java.io.PrintStream err = System.err;
        java.io.ByteArrayOutputStream said = new java.io.ByteArrayOutputStream();
        try {
            assertTrue(segment >= 0 && set >= 0, "shmget/semget errno " + org.shmconform.backends.linux.LibC.errno());
            assertEquals(0, c.semctl(set, 0, org.shmconform.backends.linux.LibC.SETVAL, 1));
            System.setErr(new java.io.PrintStream(said, true, StandardCharsets.UTF_8));
            try (RunContext next = RunContext.create()) {
                System.setErr(err);
                String lines = said.toString(StandardCharsets.UTF_8);
                assertFalse(Files.exists(state.resolve("runs").resolve(deadId), LinkOption.NOFOLLOW_LINKS), "the dead run is reaped");
                assertTrue(c.shmctl(segment, org.shmconform.backends.linux.LibC.IPC_STAT,
                        new com.sun.jna.Memory(org.shmconform.backends.linux.LibC.SHMID_DS_SIZE)) == 0, "the other program's segment survives: " + lines);
                assertTrue(c.semctl(set, 0, org.shmconform.backends.linux.LibC.GETVAL) >= 0, "the other program's set survives: " + lines);
                assertTrue(lines.contains(Reaper.LEFT + "segment key") && lines.contains(" id " + segment + " "), lines);
                assertTrue(lines.contains(Reaper.LEFT + "semaphore set key") && lines.contains(" id " + set + " "), lines);
                assertFalse(Files.exists(segmentsFile, LinkOption.NOFOLLOW_LINKS) || Files.exists(setsFile, LinkOption.NOFOLLOW_LINKS),
                        "the dead run's key files go");
            }
        } finally {
            System.setErr(err);
            c.shmctl(segment, org.shmconform.backends.linux.LibC.IPC_RMID, null);
            c.semctl(set, 0, org.shmconform.backends.linux.LibC.IPC_RMID);
        }
    }

    /** The kernel releases a killed process's lock once its files are closed: wait for that (bounded, never decides the outcome). */
    private static void awaitDead(Path runDir) throws InterruptedException {
        for (int i = 0; i < 6000; i++) {
            var attempt = RunContext.lockIfDead(runDir);
            if (attempt.outcome() != org.shmconform.backends.host.OfdLockFile.Outcome.HELD) {
                if (attempt.lock() != null) {
                    attempt.lock().close();
                }
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError(runDir + " stayed locked after its harness was killed");
    }

    private Process bash(String script, String runId, Path tmp) throws Exception {
        ProcessBuilder b = new ProcessBuilder("bash", "-c", script);
        b.environment().put(LeftoverWorkers.RUN_VARIABLE, runId);
        b.environment().put("TMPDIR", tmp.toString());
        Process p = b.start();
        started.add(p);
        // start() returns once bash runs, not once it has exec'd sleep: until then its command line is bash's, which no
        // reaper takes for a worker, and the one scan of RunContext.create() could come before the exec on a busy machine.
        Path comm = Path.of("/proc", Long.toString(p.pid()), "comm");
        org.awaitility.Awaitility.await("bash exec'd " + script).atMost(java.time.Duration.ofSeconds(60))
                .pollInterval(java.time.Duration.ofMillis(5)).until(() -> Files.readString(comm).strip().equals("sleep"));
        return p;
    }
}
