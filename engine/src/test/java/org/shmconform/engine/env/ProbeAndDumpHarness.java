package org.shmconform.engine.env;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.shmconform.engine.RunContext;

/**
 * A harness for {@link ProbeAndDumpContainersDieWithTheHarnessIT} to SIGKILL while its probe's and its class-data dump's
 * containers run: it starts both through the engine's own start paths ({@link DockerEnvironment#startProbeContainer},
 * {@link ContainerClassDataSharing#startDumpContainer}), prints {@code run <id>}, {@code probe <id>}, {@code dump <id>}
 * and {@code ready}, then waits to be killed.
 */
public final class ProbeAndDumpHarness {
    private ProbeAndDumpHarness() {
    }

    public static void main(String[] args) throws Exception {
        RunContext run = RunContext.create();
        System.out.println("run " + run.runId());
        DockerEnvironment env = new DockerEnvironment(DockerEnvironment.Mode.PRIVATE, run.runId());
        String image = WorkerImage.tag();
        System.out.println("probe " + env.startProbeContainer(image).id());
        Path partial = Files.createDirectory(run.runDir().resolve("dump.part"));
        System.out.println("dump " + ContainerClassDataSharing.startDumpContainer(image, List.of(), partial, env.labels(), env.lifeline()).id());
        System.out.println("ready");
        Thread.sleep(Long.MAX_VALUE); // until the test's SIGKILL
    }
}
