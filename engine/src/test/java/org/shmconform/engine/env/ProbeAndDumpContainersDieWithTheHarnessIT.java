package org.shmconform.engine.env;

import org.shmconform.engine.launch.ToolRun;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.shmconform.engine.RunContext;

/**
 * The containers a harness starts to probe an environment and to dump the worker image's class-data archive die with
 * the harness, as its workers' containers do, and the next run removes them; a container without the product's label is
 * never touched. A child JVM is the harness ({@link ProbeAndDumpHarness}); the test SIGKILLs it while both run. Before
 * they had a lifeline, both ran on (their 5-minute sleep) after the harness was gone (checked: this test failed so).
 */
class ProbeAndDumpContainersDieWithTheHarnessIT {
    @Test
    void probeAndDumpContainersStopWithAKilledHarnessAndTheNextRunRemovesThem(@TempDir Path tmp) throws Exception {
        assumeTrue(DockerCli.serverVersion() != null, DockerCli.whyNoEngine());
        String image = WorkerImage.tag();
        ToolRun foreign = DockerCli.run("run", "-d", "--network", "none", image, "/bin/sleep", "300"); // no label of ours
        assertEquals(0, foreign.exitCode(), foreign.output());
        String foreignId = foreign.lastLine().strip();
        List<String> ours = new ArrayList<>();
        Process harness = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), ProbeAndDumpHarness.class.getName())
                .redirectError(tmp.resolve("harness.stderr").toFile()).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(harness.getInputStream(), StandardCharsets.UTF_8));
            String runId = null;
            for (String line; (line = out.readLine()) != null && !line.equals("ready"); ) {
                String[] f = line.split(" ");
                if (f[0].equals("run")) {
                    runId = f[1];
                } else {
                    ours.add(f[1]);
                }
            }
            assertNotNull(runId, "the harness started: " + Files.readString(tmp.resolve("harness.stderr")));
            assertEquals(2, ours.size(), "probe and dump containers: " + ours + " " + Files.readString(tmp.resolve("harness.stderr")));
            ours.forEach(id -> assertTrue(running(id), id + " runs under its harness"));

            harness.destroyForcibly(); // SIGKILL: no close, no shutdown hook
            harness.waitFor();
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (ours.stream().anyMatch(ProbeAndDumpContainersDieWithTheHarnessIT::running) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            for (String id : ours) {
                assertFalse(running(id), id + " still runs 30 s after its harness was SIGKILLed");
            }
            try (RunContext next = RunContext.create()) { // the next run reaps the dead one, its containers too
                assertFalse(next.runId().equals(runId));
            }
            for (String id : ours) {
                assertFalse(exists(id), id + " outlived the next run's start");
            }
            assertTrue(running(foreignId), "a container without the product's label is left alone");
        } finally {
            harness.destroyForcibly().waitFor();
            List<String> rm = new ArrayList<>(List.of("rm", "-f", foreignId));
            rm.addAll(ours);
            DockerCli.run(rm);
        }
    }

    private static boolean running(String id) {
        ToolRun r = DockerCli.run("inspect", "-f", "{{.State.Running}}", id);
        return r.ok() && r.output().strip().equals("true");
    }

    private static boolean exists(String id) {
        return DockerCli.run("inspect", id).ok();
    }
}
