package org.shmconform.engine.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A group's workers enter the namespaces the harness holds, not the holder's pid's: a holder killed from outside gives
 * its pid back, and a worker started after that must not land in the namespace of the process that got the pid.
 */
class NamespaceHolderTest {
    /**
     * In a pid namespace of its own (the only place a test may choose the next pid), {@link HolderPidReusedRun} kills a
     * holder, gives its pid to a process in another IPC namespace, and enters through the prefix taken before the kill.
     * With {@code nsenter --target <pid>} it entered the impostor's namespace.
     */
    @Test
    void aWorkerEntersTheHoldersNamespaceEvenAfterItsPidWentToAnotherProcess() throws Exception {
        assumeTrue(new ProcessBuilder("unshare", "--pid", "--fork", "--mount-proc", "true").start().waitFor() == 0,
                "unshare --pid needs root here");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder("unshare", "--pid", "--fork", "--kill-child", "--mount-proc", java, "-XX:-UsePerfData",
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), HolderPidReusedRun.class.getName())
                .redirectErrorStream(true).start();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), out);
        assertEquals(0, child.exitValue(), out);
        Map<String, String> said = out.lines().filter(l -> l.matches("(holder|impostor|entered) .*"))
                .collect(Collectors.toMap(l -> l.substring(0, l.indexOf(' ')), l -> l.substring(l.indexOf(' ') + 1)));
        assertEquals(List.of("entered", "holder", "impostor"), said.keySet().stream().sorted().toList(), out);
        assertTrue(said.get("holder").startsWith("ipc:["), out);
        assertNotEquals(said.get("holder"), said.get("impostor"), out);
        assertEquals(said.get("holder"), said.get("entered"), "the worker entered another process's namespace: " + out);
    }
}
