package org.shmconform.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.shmconform.engine.RunContext;
import org.shmconform.engine.Subjects;
import org.shmconform.engine.Trial;
import org.shmconform.engine.WorkerPool;
import org.shmconform.engine.env.IpcNamespaceEnvironment;
import org.shmconform.history.Execution;

/**
 * By default ({@code fuzz --no-own-ipc-namespaces} asks not to), a System V Qt column's campaign runs its two lanes each
 * in an IPC namespace of its own, its workers forked there by a fork server of the lane's and its key files on a tmpfs of
 * the run's, instead of in the host's namespace taking the key-file turn; every schedule is judged as before, and the
 * campaign leaves no fork server, worker or namespace behind.
 */
class OwnNamespaceLanesTest {

    private static boolean ownNamespacesHere() {
        try (IpcNamespaceEnvironment probe = new IpcNamespaceEnvironment()) {
            return probe.availability().available();
        }
    }

    @Test
    void aSystemVQtColumnGetsTwoLanesThatTakeNoTurnWhereItsNamespacesCanBeMade() {
        Assumptions.assumeTrue(Runtime.getRuntime().availableProcessors() >= 2, "one lane on a single core");
        boolean here = ownNamespacesHere();
        assertEquals(here ? 2 : 1, FuzzCampaign.settled(FuzzCampaign.Options.of("qt")).lanes(), "by default");
        assertEquals(1, FuzzCampaign.settled(FuzzCampaign.Options.of("qt").ownIpcNamespaces(false)).lanes(),
                "asked not to: in the host's namespace, taking turns");
        assertEquals(!here, FuzzCampaign.takesTurns("qt"), "the run's campaign of qt takes the turn only where no namespace can be had");
        assertEquals(1, FuzzCampaign.settled(FuzzCampaign.Options.of("sysv").ownIpcNamespaces(true)).lanes(),
                "a Java column stays in one lane in the host's namespace");
        org.shmconform.schedule.Schedule sysv = new ScheduleGenerator("sysv", Subjects.here().semantics("sysv"), 3, 16).generate(1);
        assertTrue(OwnNamespaceLanes.whyNot(sysv, false).contains("JVM"), "and says why");
        org.shmconform.schedule.Schedule posix = new ScheduleGenerator("posix", Subjects.here().semantics("posix"), 3, 16).generate(1);
        assertTrue(OwnNamespaceLanes.whyNot(posix, true).contains("no key-file turn"), "a column that takes no turn has nothing to gain");
    }

    @Test
    void eachLaneRunsInANamespaceOfItsOwnAndNothingOutlivesTheCampaign() throws Exception {
        Assumptions.assumeTrue(Subjects.here().availability("qt").available(), "the Qt 6.4 worker is not built here");
        Assumptions.assumeTrue(ownNamespacesHere(), "no IPC namespace can be unshared here (root and unshare are needed)");
        Assumptions.assumeTrue(Runtime.getRuntime().availableProcessors() >= 2, "one lane on a single core");
        Path out = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "ownns-").toAbsolutePath();
        String hostIpc = ipcNamespaceOf(ProcessHandle.current().pid());
        Map<String, Set<String>> namespacesByGroup = new TreeMap<>();
        List<String> groups = new ArrayList<>();
        List<Trial> trials = new ArrayList<>();
        List<String> progress = new ArrayList<>();
        List<Boolean> parents = new ArrayList<>();
        Map<String, Set<Object>> keyFileDevices = new TreeMap<>();
        Object hostTmpDevice;
        FuzzResult campaign;
        List<Long> serversAfter;
        WorkerPool.Stats pool;
        try (RunContext run = RunContext.create()) {
            campaign = FuzzCampaign.run(FuzzCampaign.Options.of("qt").seed(7).count(12).time(Duration.ofMinutes(10)).outDir(out)
                    .stopAtFirstFailure(false).ownIpcNamespaces(true), run, progress::add, t -> {
                        trials.add(t);
                        Set<String> g = new HashSet<>(t.schedule().workers().stream().map(w -> w.env() + "/" + w.group()).toList());
                        assertEquals(1, g.size(), "a schedule's workers are in one lane's group: " + g);
                        groups.add(g.iterator().next());
                        // A worker that did not exit is alive in the pool now (the lane's next schedule is not given yet).
                        for (Execution.WorkerInfo w : t.execution().workers().values()) {
                            String ns = w.exitStatus() == null ? ipcNamespaceOf(w.pid()) : null;
                            if (ns != null) {
                                namespacesByGroup.computeIfAbsent(g.iterator().next(), k -> new HashSet<>()).add(ns);
                                parents.add(run.workerPool().forkServerPids().contains(parentOf(w.pid())));
                                Object device = deviceOfTmpdirOf(w.pid());
                                if (device != null) {
                                    keyFileDevices.computeIfAbsent(g.iterator().next(), k -> new HashSet<>()).add(device);
                                }
                            }
                        }
                    });
            serversAfter = run.workerPool().forkServerPids();
            pool = run.workerPool().stats();
            hostTmpDevice = Files.getAttribute(run.workerTmp(), "unix:dev");
        }
        // Not asserted: no UNKNOWN. A schedule's shadow foresees what one schedule alone does; OwnNamespaceLanes says how the
        // lanes' key files were kept from meeting each other's freed inodes, and what was measured.
        assertEquals(12, campaign.schedulesRun());
        assertTrue(campaign.failures().stream().noneMatch(f -> f.rerunFails() > 0), campaign.failures().toString());
        assertTrue(progress.stream().anyMatch(l -> l.contains("each in an IPC namespace of its own")), progress.toString());
        // Every execution (the campaign's schedules, and a finding's re-runs and shrink candidates) ran in a lane's group.
        assertEquals(Set.of("ipcns/lane-0", "ipcns/lane-1"), new HashSet<>(groups), groups.toString());
        assertEquals(Set.of("ipcns/lane-0", "ipcns/lane-1"), namespacesByGroup.keySet(), "live workers seen in both lanes");
        namespacesByGroup.forEach((g, ns) -> assertEquals(1, ns.size(), g + "'s workers are all in one namespace: " + ns));
        String lane0 = namespacesByGroup.get("ipcns/lane-0").iterator().next();
        String lane1 = namespacesByGroup.get("ipcns/lane-1").iterator().next();
        assertNotEquals(lane0, lane1, "each lane has a namespace of its own");
        assertFalse(Set.of(lane0, lane1).contains(hostIpc), "not the host's");
        assertFalse(parents.isEmpty());
        assertTrue(parents.stream().allMatch(p -> p), "every live worker was forked by a fork server of the pool: " + parents);
        assertEquals(List.of(), serversAfter, "the lanes' fork servers ended with the campaign");
        // Each lane's pool keeps one schedule's workers and the reserve, not both lanes' (FuzzCampaign): no worker that
        // proved clean was ended because spares had filled its lane's idle set.
        assertEquals(0, pool.endedForWantOfRoom(), pool.toString());
        // Each lane's key files on a file system of its own (KeyFileSystem): one device per lane, the two different, neither
        // the run's shared TMPDIR's.
        assertEquals(namespacesByGroup.keySet(), keyFileDevices.keySet());
        keyFileDevices.forEach((g, d) -> assertEquals(1, d.size(), g + "'s workers' TMPDIRs are on one file system: " + d));
        Object device0 = keyFileDevices.get("ipcns/lane-0").iterator().next();
        Object device1 = keyFileDevices.get("ipcns/lane-1").iterator().next();
        assertNotEquals(device0, device1, "the two lanes' key files share a file system");
        assertFalse(Set.of(device0, device1).contains(hostTmpDevice), "a lane's key files are on the shared TMPDIR's file system");
        List<Long> inThem = processesIn(Set.of(lane0, lane1));
        assertEquals(List.of(), inThem, "a process is still in a lane's namespace after the campaign");
    }

    private static String ipcNamespaceOf(long pid) {
        try {
            return Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns", "ipc")).toString();
        } catch (IOException e) {
            return null; // gone
        }
    }

    /** The device of the TMPDIR in the environment of process {@code pid} (where Qt makes its key files), or null if it is gone. */
    private static Object deviceOfTmpdirOf(long pid) {
        try {
            String environ = Files.readString(Path.of("/proc", Long.toString(pid), "environ"));
            String tmpdir = Stream.of(environ.split("\0")).filter(v -> v.startsWith("TMPDIR=")).findFirst().orElseThrow().substring(7);
            return Files.getAttribute(Path.of(tmpdir), "unix:dev");
        } catch (IOException e) {
            return null; // gone meanwhile
        }
    }

    /** Its parent's pid, or -1 if it is gone. */
    private static long parentOf(long pid) {
        return ProcessHandle.of(pid).flatMap(ProcessHandle::parent).map(ProcessHandle::pid).orElse(-1L);
    }

    private static List<Long> processesIn(Set<String> namespaces) throws IOException {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.map(p -> p.getFileName().toString()).filter(n -> n.matches("\\d+")).map(Long::valueOf)
                    .filter(pid -> { String ns = ipcNamespaceOf(pid); return ns != null && namespaces.contains(ns); }).toList();
        }
    }
}
