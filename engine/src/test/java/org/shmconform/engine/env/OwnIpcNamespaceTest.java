package org.shmconform.engine.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.shmconform.backends.linux.LibC;
import org.shmconform.backends.sysv.ForeignIpcNamespace;

/**
 * Removing what is left in a group's IPC namespace from a thread that enters it: every set and unattached segment there
 * goes, none of the host's (a set of this test's own, keyless), the calling thread stays in the host's namespace, and a
 * namespace that is not the recorded one, or whose holder is gone, is not touched.
 */
class OwnIpcNamespaceTest {
    private static final LibC C = LibC.INSTANCE;
    private NamespaceHolder holder;
    private int hostSet = -1;

    @BeforeEach
    void holderAndAHostSet() throws Exception {
        assumeTrue(new ProcessBuilder("unshare", "--ipc", "true").start().waitFor() == 0, "unshare --ipc needs root here");
        holder = NamespaceHolder.start(false, "1m");
        hostSet = C.semget(0 /* IPC_PRIVATE */, 1, 0600 | LibC.IPC_CREAT);
        assertTrue(hostSet >= 0, "semget errno " + LibC.errno());
    }

    @AfterEach
    void cleanUp() {
        if (hostSet >= 0) {
            C.semctl(hostSet, 0, LibC.IPC_RMID);
        }
        if (holder != null) {
            holder.close(); // the namespace, and whatever is left in it, goes with its last process
        }
    }

    @Test
    void everySetAndSegmentOfTheNamespaceGoesAndNoneOfTheHosts() throws Exception {
        List<Integer> made = List.of(makeInside("-S", "1"), makeInside("-S", "1"));
        int segment = makeInside("-M", "64");
        String before = Files.readSymbolicLink(Path.of("/proc/thread-self/ns/ipc")).toString();
        ForeignIpcNamespace.Removal removal = holder.ipcNamespace().removeLeftovers();
        assertTrue(removal.noSetLeft(), removal.failure());
        assertEquals(made, removal.sets().stream().sorted().toList());
        assertEquals(List.of(segment), removal.segments());
        assertEquals(List.of(), idsInside("sem"));
        assertEquals(List.of(), idsInside("shm"));
        assertEquals(before, Files.readSymbolicLink(Path.of("/proc/thread-self/ns/ipc")).toString(), "the caller stays home");
        assertNotEquals(-1, C.semctl(hostSet, 0, LibC.GETPID), "the host's set is still there");
    }

    @Test
    void aNamespaceOtherThanTheRecordedOneIsNotTouched() throws Exception {
        makeInside("-S", "1");
        // The holder's pid, but a namespace link it does not have: as if the pid now belonged to another process.
        OwnIpcNamespace other = new OwnIpcNamespace(holder.pid(), "ipc:[1]");
        ForeignIpcNamespace.Removal removal = other.removeLeftovers();
        assertFalse(removal.noSetLeft());
        assertTrue(removal.failure().contains("not the group's ipc:[1]"), removal.failure());
        assertEquals(1, idsInside("sem").size(), "the set in the holder's namespace is left alone");
        // Recorded from this JVM's own namespace (the host's): the holder's is not it, so nothing of the host's goes either.
        OwnIpcNamespace hosts = OwnIpcNamespace.of(ProcessHandle.current().pid());
        ForeignIpcNamespace.Removal refused = new OwnIpcNamespace(holder.pid(), hosts.link()).removeLeftovers();
        assertFalse(refused.noSetLeft());
        assertNotEquals(-1, C.semctl(hostSet, 0, LibC.GETPID), "the host's set is still there");
    }

    @Test
    void aGoneHolderProvesNothing() throws Exception {
        OwnIpcNamespace ns = holder.ipcNamespace();
        holder.close();
        ForeignIpcNamespace.Removal removal = ns.removeLeftovers();
        assertFalse(removal.noSetLeft());
        assertTrue(removal.failure().contains("is gone"), removal.failure());
    }

    /**
     * The pid and the namespace link both lead where they did, but the process pinned when they were proven has ended: as
     * when a container's main process ended and its pid and its namespace's inode number went to another's, which the
     * two numbers alone cannot tell apart. Nothing is removed.
     */
    @Test
    void anEndedPinnedHolderProvesNothingWhereItsNumbersStillLeadSomewhere() throws Exception {
        makeInside("-S", "1");
        Process ended = new ProcessBuilder("sleep", "60").start();
        org.shmconform.backends.host.Pidfd pinned = org.shmconform.backends.host.Pidfd.open(ended.pid());
        ended.destroyForcibly().waitFor();
        try (OwnIpcNamespace reused = new OwnIpcNamespace(holder.pid(), holder.ipcNamespace().link(), pinned)) {
            ForeignIpcNamespace.Removal removal = reused.removeLeftovers();
            assertFalse(removal.noSetLeft());
            assertTrue(removal.failure().contains("has ended"), removal.failure());
            assertEquals(1, idsInside("sem").size(), "the set in the namespace is left alone");
        }
    }

    /** ipcmk in the namespace ("-S 1" a set, "-M 64" a segment); its id. */
    private int makeInside(String kind, String size) throws Exception {
        String out = enter("ipcmk", kind, size).strip(); // "Semaphore id: N", "Shared memory id: N"
        return Integer.parseInt(out.substring(out.lastIndexOf(' ') + 1));
    }

    /** The ids /proc/sysvipc/{sem,shm} lists in the namespace. */
    private List<Integer> idsInside(String kind) throws Exception {
        return enter("cat", "/proc/sysvipc/" + kind).lines().skip(1).map(l -> Integer.valueOf(l.trim().split("\\s+")[1])).sorted().toList();
    }

    private String enter(String... command) throws Exception {
        List<String> argv = new java.util.ArrayList<>(holder.enterPrefix());
        argv.addAll(List.of(command));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", argv) + ": " + out);
        return out;
    }
}
