package org.shmconform.backends.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.shmconform.backends.linux.LibC;

/**
 * The kernel probe against real child processes: blocked in semop, in F_OFD_SETLKW and in sem_wait
 * it says "lock wait"; asleep in nanosleep, in a read of stdin, parked in the JVM (a futex on
 * anonymous memory) or spinning it does not. Every wait for a child's state is for a kernel state,
 * never for a length of time.
 */
class KernelWaitTest {
    private static KernelWait kernel;
    private final List<Process> children = new ArrayList<>();
    private final List<Runnable> cleanups = new ArrayList<>();

    @TempDir
    Path dir;

    @BeforeAll
    static void probe() {
        kernel = KernelWait.forThisMachine();
        assertNotNull(kernel, "no kernel probe here: " + KernelWait.unsupportedReason());
    }

    @AfterEach
    void killChildren() throws InterruptedException {
        for (Process p : children) {
            p.destroyForcibly();
            p.waitFor();
        }
        cleanups.forEach(Runnable::run);
    }

    @Test
    void semopOnSystemVSemaphoreIsALockWait() throws Exception {
        Child c = java("semop");
        cleanups.add(() -> LibC.INSTANCE.semctl(Integer.parseInt(c.resource), 0, LibC.IPC_RMID));
        KernelWait.State s = until(c, KernelWait.State::blockedInLockWait);
        assertTrue(s.description().startsWith("semop"), s.description());
    }

    @Test
    void ofdLockWaitIsALockWait() throws Exception {
        Path file = Files.writeString(dir.resolve("locked"), "x");
        Child c = java("ofd", file.toString());
        KernelWait.State s = until(c, KernelWait.State::blockedInLockWait);
        assertTrue(s.description().startsWith("fcntl(F_OFD_SETLKW)"), s.description());
        assertTrue(Files.readString(Path.of("/proc/locks")).contains("-> OFDLCK"), "/proc/locks shows the waiter");
    }

    @Test
    void semWaitOnPosixNamedSemaphoreIsALockWait() throws Exception {
        String name = "/shmcf-kwtest-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        cleanups.add(() -> LibC.INSTANCE.sem_unlink(name));
        Child c = java("semwait", name);
        KernelWait.State s = until(c, KernelWait.State::blockedInLockWait);
        Object inode = Files.getAttribute(Path.of("/dev/shm/sem." + name.substring(1)), "unix:ino");
        assertTrue(s.description().startsWith("futex wait in /dev/shm/") && s.description().endsWith(" inode " + inode),
                s.description());
    }

    @Test
    void nanosleepIsNoLockWait() throws Exception {
        Child c = start(new ProcessBuilder("sleep", "3600"));
        assertNotLockWait(c, "in system call");
    }

    @Test
    void readingStdinIsNoLockWait() throws Exception {
        Child c = start(new ProcessBuilder("cat"));
        assertNotLockWait(c, "in system call");
    }

    @Test
    void jvmParkOnAnonymousMemoryIsNoLockWait() throws Exception {
        Child c = java("park");
        assertNotLockWait(c, "futex wait on private or anonymous memory");
    }

    @Test
    void spinningIsNoLockWait() throws Exception {
        Child c = start(new ProcessBuilder("bash", "-c", "while :; do :; done"));
        for (int look = 0; look < 20; look++) {
            KernelWait.State s = kernel.probe(c.pid, c.tid);
            assertFalse(s.blockedInLockWait(), s.description());
        }
    }

    @Test
    void hostTidOfAThreadOutsideAnyPidNamespaceIsItself() throws Exception {
        Child c = start(new ProcessBuilder("sleep", "3600"));
        assertEquals(c.tid, kernel.hostTid(c.pid, c.tid).orElseThrow());
        assertTrue(kernel.hostTid(c.pid, c.tid + 1_000_000).isEmpty());
    }

    /**
     * A process in a pid namespace of its own (a container's worker): its thread 1 there is found among its threads by
     * its NSpid line, and its host number, which is also the name of one of its tasks, is not taken for its number there.
     */
    @Test
    void hostTidOfAThreadInAPidNamespaceOfItsOwnIsFoundByItsNumberThere() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "a pid namespace needs root here");
        Child unshare = start(new ProcessBuilder("unshare", "--pid", "--fork", "--kill-child", "sleep", "3600"));
        long sleeper = -1;
        long giveUp = System.nanoTime() + 120_000_000_000L; // as until(): a busy machine may be slow to run unshare's fork
        while (sleeper < 0 && System.nanoTime() < giveUp) {
            String kids = Files.readString(Path.of("/proc/" + unshare.pid() + "/task/" + unshare.pid() + "/children")).trim();
            sleeper = kids.isEmpty() ? -1 : Long.parseLong(kids.split(" ")[0]);
            Thread.sleep(10);
        }
        assertTrue(sleeper > 0, "unshare's child appeared");
        try {
            assertEquals(sleeper, kernel.hostTid(sleeper, 1).orElseThrow());
            assertTrue(kernel.hostTid(sleeper, sleeper).isEmpty(), "its host number is no thread's number in its namespace");
        } finally {
            ProcessHandle.of(sleeper).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void unknownArchitecturesHaveNoTable() {
        assertNotNull(KernelWait.tableFor("amd64"));
        assertNotNull(KernelWait.tableFor("aarch64"));
        assertEquals(null, KernelWait.tableFor("riscv64"));
    }

    /** Waits until the child sleeps (state S, known system call), then the probe must say no lock wait. */
    private void assertNotLockWait(Child c, String expected) throws Exception {
        KernelWait.State s = until(c, st -> st.description().startsWith("in system call") || st.description().startsWith("futex"));
        assertFalse(s.blockedInLockWait(), s.description());
        assertTrue(s.description().startsWith(expected), s.description());
    }

    /** Looks at the child until the probe's answer matches; the bound only stops a broken test from hanging. */
    private KernelWait.State until(Child c, Predicate<KernelWait.State> wanted) throws InterruptedException {
        long giveUp = System.nanoTime() + 120_000_000_000L;
        KernelWait.State s;
        do {
            s = kernel.probe(c.pid, c.tid);
            if (wanted.test(s)) {
                return s;
            }
            assertTrue(c.process.isAlive(), "child died: " + s.description());
            Thread.sleep(5);
        } while (System.nanoTime() < giveUp);
        throw new AssertionError("the kernel never showed the expected state; last: " + s.description());
    }

    private Child java(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                BlockingChild.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        children.add(p);
        String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
        assertNotNull(line, "child " + String.join(" ", args) + " said nothing");
        String[] f = line.split(" ", 2);
        return new Child(p, p.pid(), Long.parseLong(f[0]), f[1]);
    }

    /** A single-threaded program: its one thread's tid is its pid. */
    private Child start(ProcessBuilder pb) throws IOException {
        Process p = pb.redirectError(ProcessBuilder.Redirect.INHERIT).start();
        children.add(p);
        return new Child(p, p.pid(), p.pid(), null);
    }

    private record Child(Process process, long pid, long tid, String resource) {
    }
}
