package org.shmconform.backends.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CpuAffinityTest {
    @Test
    void pinsEveryThreadOfAProcessAndWhatItStartsLaterInheritsIt() throws Exception {
        BitSet allowed = CpuAffinity.ofThisThread();
        BitSet one = new BitSet();
        one.set(allowed.length() - 1); // the last CPU this thread may use: on a 2-CPU machine, not the first
        // A shell that starts its grandchild only once it is told to, after the pin.
        Process shell = new ProcessBuilder("sh", "-c", "read go; sleep 600 & echo $!; wait").start();
        try {
            assertTrue(CpuAffinity.pinProcess(shell.pid(), one));
            assertEquals(one, CpuAffinity.ofTask(shell.pid()));
            shell.getOutputStream().write("go\n".getBytes(StandardCharsets.UTF_8));
            shell.getOutputStream().flush();
            long sleeper = Long.parseLong(firstLine(shell));
            assertEquals(one, CpuAffinity.ofTask(sleeper), "a process started by a pinned one inherits its mask");
            assertEquals(Set.of(sleeper), CpuAffinity.descendants(shell.pid()));
            assertTrue(CpuAffinity.descendants(ProcessHandle.current().pid()).containsAll(Set.of(shell.pid(), sleeper)),
                    "the shell is this JVM's child and the sleeper its grandchild");
            assertTrue(CpuAffinity.pinProcess(sleeper, allowed));
            assertEquals(allowed, CpuAffinity.ofTask(sleeper), "and it is set back");
        } finally {
            ProcessHandle.of(shell.pid()).ifPresent(h -> h.descendants().forEach(ProcessHandle::destroyForcibly));
            shell.destroyForcibly().waitFor(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void aProcessThatIsGoneIsReportedSoAndHasNoDescendants() throws Exception {
        Process p = new ProcessBuilder("true").start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertFalse(CpuAffinity.pinProcess(p.pid(), CpuAffinity.ofThisThread()), "reaped: no /proc/PID/task");
        assertTrue(CpuAffinity.descendants(p.pid()).isEmpty());
        assertTrue(CpuAffinity.ofTask(p.pid()).isEmpty());
    }

    @Test
    void thisThreadsMaskIsWhatTheKernelShowsForIt() {
        BitSet mine = CpuAffinity.ofThisThread();
        assertFalse(mine.isEmpty());
        assertEquals(mine, CpuAffinity.ofTask(gettid()));
    }

    private static long gettid() {
        // /proc/thread-self names this very thread's task directory.
        try {
            return Long.parseLong(Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String firstLine(Process p) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c; (c = p.getInputStream().read()) != -1 && c != '\n'; ) {
            line.append((char) c);
        }
        return line.toString();
    }
}
