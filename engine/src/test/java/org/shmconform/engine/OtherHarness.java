package org.shmconform.engine;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A second harness in its own process (the tests start it in a private pid namespace):
 * {@code start-up} runs the start-up reaper (RunContext.create) and ends its run; {@code hold}
 * makes a run with a /dev/shm object and a key file, prints "ready <run id> <object> <tmpdir>" and
 * waits to be killed.
 */
public final class OtherHarness {
    private OtherHarness() {
    }

    public static void main(String[] args) throws Exception {
        RunContext run = RunContext.create();
        if (args[0].equals("start-up")) {
            run.close();
            System.out.println("done " + run.runId());
            return;
        }
        String prefix = run.nextExecutionPrefix();
        Path object = Path.of("/dev/shm", org.shmconform.backends.QtKeys.platformSafeName(prefix + "held",
                org.shmconform.backends.QtKeys.SHARED_MEMORY_PREFIX));
        Files.writeString(object, "held by " + run.runId());
        System.out.println("ready " + run.runId() + " " + object + " " + run.workerTmp());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
