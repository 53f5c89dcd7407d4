package org.shmconform.backends.host;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.shmconform.backends.linux.ChildWithDescriptor;

/**
 * A child process that inherits one descriptor (seed L5: "let the child process inherit it"), started
 * by a worker with its stdin, stdout and stderr opened from paths the harness chose (FIFOs), through
 * posix_spawn (exec, never fork). The starting process reaps it on a thread of its own when it exits,
 * so it never lingers as a zombie, and never signals it: the harness does that, through a pidfd.
 */
public final class InheritingChild {
    private InheritingChild() {
    }

    /**
     * Starts {@code argv} with {@code env}, {@code descriptor} at number {@code childNumber} (-1: none),
     * nothing else open but the three paths; returns its pid.
     */
    public static long start(List<String> argv, Map<String, String> env, int descriptor, int childNumber, Path stdin, Path stdout,
                             Path stderr) throws IOException {
        ChildWithDescriptor child = ChildWithDescriptor.spawnWithStdio(argv, env, descriptor, childNumber, stdin, stdout, stderr);
        Thread reaper = new Thread(child::waitFor, "reaper of child " + child.pid());
        reaper.setDaemon(true);
        reaper.start();
        return child.pid();
    }
}
