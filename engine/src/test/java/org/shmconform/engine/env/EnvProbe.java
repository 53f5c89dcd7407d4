package org.shmconform.engine.env;

import org.shmconform.engine.launch.ToolRun;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.shmconform.engine.launch.WorkerCommand;
import org.shmconform.engine.launch.WorkerHandle;

/**
 * Asks the kernel what a process placed in an environment's group sees: runs small tools (ipcmk,
 * ipcs, ls) as "workers" of the environment and returns their output. The host is the null group.
 */
final class EnvProbe {
    private final Environment env;
    private final Path tmpDir;

    EnvProbe(Environment env, Path tmpDir) {
        this.env = env;
        this.tmpDir = tmpDir;
    }

    /** Runs {@code sh -c script} in group (on the host if group is null); returns stdout, asserting exit 0. */
    String sh(String group, String script) throws IOException, InterruptedException {
        if (group == null) {
            ToolRun host = ToolRun.of(Duration.ofSeconds(120), "sh", "-c", script);
            assertEquals(0, host.exitCode(), "host: " + script + ": " + host.output());
            return host.output();
        }
        WorkerCommand command = new WorkerCommand(Path.of("sh"), List.of("-c", script), List.of(),
                Map.of("TMPDIR", tmpDir.toString()), null);
        WorkerHandle worker = env.start(command, group);
        try {
            worker.stdin().close();
            CompletableFuture<byte[]> out = readAll(worker.stdout());
            CompletableFuture<byte[]> err = readAll(worker.stderr());
            Integer status = worker.awaitExit(Duration.ofSeconds(120));
            assertNotNull(status, env.name() + "/" + group + ": " + script + " did not end");
            String stdout = new String(out.join(), StandardCharsets.UTF_8);
            assertEquals(0, status, env.name() + "/" + group + ": " + script + ": " + stdout
                    + new String(err.join(), StandardCharsets.UTF_8));
            return stdout;
        } finally {
            worker.release();
        }
    }

    /** Drains a pipe on its own thread, so a full stderr pipe cannot stall stdout. */
    static CompletableFuture<byte[]> readAll(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return in.readAllBytes();
            } catch (IOException e) {
                return new byte[0];
            }
        });
    }

    /** Makes a System V segment of an unusual size in group; returns its key as ipcs prints it (0x...). */
    String makeSysvSegment(String group, int size) throws IOException, InterruptedException {
        String made = sh(group, "ipcmk -M " + size);
        String shmid = made.replaceAll("(?s).*Shared memory id: (\\d+).*", "$1").strip();
        for (String line : sh(group, "ipcs -m").split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 5 && f[1].equals(shmid) && f[4].equals(Integer.toString(size))) {
                return f[0];
            }
        }
        throw new AssertionError("segment " + shmid + " made in " + group + " not listed there");
    }

    /** Whether `ipcs -m` in group lists the segment with this key. */
    boolean seesSysv(String group, String key) throws IOException, InterruptedException {
        for (String line : sh(group, "ipcs -m").split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 2 && f[0].equals(key)) {
                return true;
            }
        }
        return false;
    }

    boolean seesDevShm(String group, String file) throws IOException, InterruptedException {
        return List.of(sh(group, "ls -a /dev/shm").split("\\s+")).contains(file);
    }
}
