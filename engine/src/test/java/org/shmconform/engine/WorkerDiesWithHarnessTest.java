package org.shmconform.engine;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.shmconform.engine.launch.WorkerLauncher;

/**
 * No worker outlives the harness: a child JVM acting as the harness ({@link HarnessThatGetsKilled})
 * leaves a posix worker blocked for good in lock() (its holder was SIGKILLed and posix locks have
 * no undo), then the child JVM itself is SIGKILLed. The worker must be gone (no /proc entry, or a
 * zombie waiting for init) within a generous bound, polled, never a fixed sleep. Without the
 * parent-death signal it stays in futex wait indefinitely (seen for more than 8 minutes).
 */
@ExtendWith(TakesTheKeyFileTurn.class)
class WorkerDiesWithHarnessTest {
    private static final Duration BOUND = Duration.ofSeconds(60);

    @Test
    void localWorkerDiesWithTheHarness() throws Exception {
        assertDiesWithHarness("local", null);
    }

    @Test
    void workerInAnUnsharedIpcNamespaceDiesWithTheHarness() throws Exception {
        assumeTrue(isRoot(), "unshare --ipc needs root (CAP_SYS_ADMIN): run the tests as root");
        assertDiesWithHarness("ipcns", null);
    }

    @Test
    void workerRunningAsNobodyDiesWithTheHarness() throws Exception {
        assumeTrue(isRoot(), "a worker as nobody needs root: run the tests as root");
        assertDiesWithHarness("local", "nobody");
    }

    @Test
    void workerAsNobodyInAPrivateShmNamespaceDiesWithTheHarness() throws Exception {
        assumeTrue(isRoot(), "unshare needs root (CAP_SYS_ADMIN): run the tests as root");
        assertDiesWithHarness("ipcns+shm", "nobody");
    }

    /**
     * The Qt 6.4 worker is started without setpriv: it arms the parent-death signal itself (prctl, then a check that
     * its parent is the harness), so the kernel still ends it with the harness. Fails without that prctl: the worker
     * blocked behind the stopped holder of the lock outlives the harness.
     */
    @Test
    void qtWorkerThatArmsItsOwnParentDeathSignalDiesWithTheHarness() throws Exception {
        String why = QtReferenceWorker.availability().reason();
        assumeTrue(why.isEmpty(), "the Qt 6.4 worker is not available here: " + why);
        assertDiesWithHarness("local", null, "qt");
    }

    /**
     * A Qt 6.4 worker forked by a fork server, as a pool's are: the server dies with the harness (its own parent-death
     * signal) and the worker with the server (the one it armed after the fork). Fails with the child's prctl left out.
     */
    @Test
    void qtWorkerForkedByAForkServerDiesWithTheHarness() throws Exception {
        String why = QtReferenceWorker.availability().reason();
        assumeTrue(why.isEmpty(), "the Qt 6.4 worker is not available here: " + why);
        assertDiesWithHarness("local", null, "qt" + HarnessThatGetsKilled.FORKED);
    }

    /** The Qt 6.8 worker, started by the compiled launcher (no setpriv either): both arm the signal themselves. */
    @Test
    void qt68WorkerStartedByTheCompiledLauncherDiesWithTheHarness() throws Exception {
        String why = Qt68Root.availability().reason();
        assumeTrue(why.isEmpty(), "the Qt 6.8 root is not available here: " + why);
        assumeTrue(Qt68Launcher.compiled() != null, () -> "no compiled Qt 6.8 launcher here: " + Qt68Launcher.whyNot());
        assertDiesWithHarness("local", null, "qt68-sysv");
    }

    /**
     * A container's worker is no child of the harness: the container's main process reads a FIFO only
     * the harness holds open, so the container stops, and its workers die, when the harness does.
     */
    @Test
    void workerInAContainerDiesWithTheHarness() throws Exception {
        String why;
        // Closed: its probe's container ran on a lifeline made in the state directory ("probe" has no run directory),
        // which an environment never closed left there for good.
        try (org.shmconform.engine.env.DockerEnvironment probe = new org.shmconform.engine.env.DockerEnvironment(
                org.shmconform.engine.env.DockerEnvironment.Mode.PRIVATE, "probe")) {
            why = probe.availability().reason();
        }
        assumeTrue(why.isEmpty(), "docker-private is not available here: " + why);
        assertDiesWithHarness("docker-private", null);
    }

    private void assertDiesWithHarness(String env, String user) throws Exception {
        assertDiesWithHarness(env, user, "posix");
    }

    private void assertDiesWithHarness(String env, String user, String column) throws Exception {
        assertTrue(WorkerLauncher.supported(), "setpriv --pdeathsig is needed (util-linux 2.33+)");
        List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), HarnessThatGetsKilled.class.getName(), env,
                user == null ? "-" : user, column));
        Path stderr = Files.createTempFile("harness-that-gets-killed", ".stderr");
        Process harness = new ProcessBuilder(argv).redirectError(stderr.toFile()).start();
        String runId = null;
        Path runDir = null;
        long since = System.currentTimeMillis() / 1000;
        java.util.Set<Integer> keys = new java.util.HashSet<>();
        List<String> reaped = List.of();
        long worker = -1;
        String startTime = null;
        long holder = -1;
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(harness.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = out.readLine()) != null && !line.startsWith("blocked") && !line.startsWith("not-blocked")) {
                String[] f = line.split(" ", 3);
                switch (f[0]) {
                    case "run" -> {
                        runId = f[1];
                        runDir = Path.of(f[2]);
                    }
                    case "worker" -> {
                        worker = Long.parseLong(f[1]);
                        startTime = startTime(worker);
                    }
                    case "holder" -> holder = Long.parseLong(f[1]);
                    case "keys" -> {
                        for (String k : line.substring("keys".length()).trim().split(" ")) {
                            if (!k.isEmpty()) {
                                keys.add(Integer.parseInt(k));
                            }
                        }
                    }
                    case "unavailable" -> throw new AssertionError(env + " is not available here: " + line);
                    default -> { }
                }
            }
            String said = Files.readString(stderr);
            assertEquals("blocked", line, () -> "the worker must be blocked in lock() before the harness dies; harness stderr: " + said);
            assertTrue(worker > 0 && startTime != null, "worker pid " + worker + " must be running");
            if (user != null) {
                assertEquals(user, Files.getOwner(Path.of("/proc/" + worker)).getName(), "the worker runs as " + user);
            }
            if (column.startsWith("qt")) {
                assertTrue(new String(Files.readAllBytes(Path.of("/proc/" + worker + "/environ")), StandardCharsets.UTF_8)
                        .contains(WorkerLauncher.PARENT_PID + "="), "the Qt worker was started without setpriv");
            }

            harness.destroyForcibly(); // SIGKILL: no shutdown hook, no close(), nothing but the kernel
            assertTrue(harness.waitFor(30, TimeUnit.SECONDS));
            assertEquals(137, harness.exitValue());

            long pid = worker;
            String started = startTime;
            await("worker " + pid + " in " + env + (user == null ? "" : " as " + user) + " gone after its harness was killed")
                    .atMost(BOUND).pollInterval(Duration.ofMillis(50)).until(() -> goneOrZombie(pid, started));
        } finally {
            harness.destroyForcibly();
            harness.waitFor(30, TimeUnit.SECONDS);
            if (worker > 0 && !goneOrZombie(worker, startTime)) {
                ProcessHandle.of(worker).ifPresent(ProcessHandle::destroyForcibly); // the test failed: leave nothing
            }
            if (holder > 0) {
                ProcessHandle.of(holder).ifPresent(ProcessHandle::destroyForcibly); // a stopped holder, after a failure
            }
            if (runId != null) {
                if (env.startsWith("docker")) {
                    org.shmconform.engine.env.ContainerSweeper.removeRun(runId); // the next run's sweep, now
                }
                reaped = Reaper.reapRun(runId, runDir); // the killed harness's segment and semaphore, as the next run's reaper
            }
            Files.deleteIfExists(stderr);
        }
        // A harness killed mid-run leaves nothing its workers made: the dead run's ledger named them (recorded at each
        // reply while the workers lived), and nothing was left for want of a proof.
        List<org.shmconform.backends.sysv.SysVObjects.Obj> left = madeBy(new java.util.HashSet<>(List.of(worker, holder)), keys, since);
        left.forEach(org.shmconform.backends.sysv.SysVObjects::remove); // the test's own: its workers', at its keys, since it began
        assertEquals(List.of(), left, column + " in " + env + ": the killed harness's objects outlived the next run's reaper: " + reaped);
        assertTrue(reaped.stream().noneMatch(l -> l.startsWith(Reaper.LEFT)), reaped.toString());
    }

    /**
     * The System V objects at these keys changed since {@code since} whose creator (a segment) or last operator (a set) is
     * one of {@code pids}: the harness's workers' (a killed worker's SEM_UNDO makes it its set's last operator).
     */
    private static List<org.shmconform.backends.sysv.SysVObjects.Obj> madeBy(java.util.Set<Long> pids, java.util.Set<Integer> keys,
                                                                              long since) {
        List<org.shmconform.backends.sysv.SysVObjects.Obj> made = new ArrayList<>();
        for (org.shmconform.backends.sysv.SysVObjects.Segment s : org.shmconform.backends.sysv.SysVObjects.segments()) {
            if (keys.contains(s.key()) && s.ctime() >= since && pids.contains((long) s.cpid())) {
                made.add(s.obj());
            }
        }
        for (org.shmconform.backends.sysv.SysVObjects.SemSet s : org.shmconform.backends.sysv.SysVObjects.semaphoreSets()) {
            if (keys.contains(s.key()) && s.ctime() >= since && pids.contains((long) org.shmconform.backends.sysv.SysVObjects.lastOperator(s.id()))) {
                made.add(s.obj());
            }
        }
        return made;
    }

    /** The worker's /proc entry is gone, is another process (pid reused), or is a zombie. */
    private static boolean goneOrZombie(long pid, String startTime) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return f[0].equals("Z") || !f[19].equals(startTime);
        } catch (IOException e) {
            return true;
        }
    }

    /** Field 22 of /proc/<pid>/stat: the start time, which tells this process from a later one with its pid. */
    private static String startTime(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).split(" ")[19];
        } catch (IOException e) {
            return null;
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name")) || new File("/proc/self").exists()
                && ProcessHandle.current().info().user().map("root"::equals).orElse(false);
    }
}
