package org.shmconform.engine.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.shmconform.engine.launch.WorkerCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IpcNamespaceEnvironmentTest {
    @TempDir
    Path tmp;

    @Test
    void groupsAndHostShareDevShmButNotSystemV() throws Exception {
        try (IpcNamespaceEnvironment env = new IpcNamespaceEnvironment()) {
            assumeTrue(env.availability().available(), env.availability().reason());
            VisibilityCheck.check(env, tmp, new VisibilityCheck.Expected(false, true, false, true));
        }
    }

    @Test
    void javaWorkerStartsAndDiesBySigkill() throws Exception {
        try (IpcNamespaceEnvironment env = new IpcNamespaceEnvironment()) {
            assumeTrue(env.availability().available(), env.availability().reason());
            JavaWorkerCheck.check(env, tmp);
        }
    }

    /**
     * Once closed it starts nothing (a pool's spare on its way would otherwise make a namespace holder that nobody
     * ends): the start fails, and this JVM has no new process of the start's programs (the holder's unshare, sh and
     * cat; nsenter; the worker's sleep).
     */
    @Test
    void aClosedEnvironmentStartsNoWorkerAndMakesNoHolder() throws Exception {
        IpcNamespaceEnvironment env = new IpcNamespaceEnvironment();
        assumeTrue(env.availability().available(), env.availability().reason());
        env.close();
        Set<String> before = descendants();
        WorkerCommand sleeper = new WorkerCommand(Path.of("sleep"), List.of("30"), List.of(), Map.of("TMPDIR", tmp.toString()), null);
        assertThrows(IOException.class, () -> env.start(sleeper, "g"));
        Set<String> after = descendants();
        after.removeAll(before);
        assertEquals(Set.of(), after, "processes made by a start after close (a holder runs 'cat')");
    }

    /** Live descendants running one of the start's programs, as "pid command". */
    private static Set<String> descendants() {
        Set<String> programs = Set.of("unshare", "sh", "cat", "nsenter", "sleep");
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .map(p -> p.pid() + " " + p.info().command().map(c -> Path.of(c).getFileName().toString()).orElse("?"))
                .filter(d -> programs.contains(d.substring(d.indexOf(' ') + 1))).collect(Collectors.toSet());
    }
}
