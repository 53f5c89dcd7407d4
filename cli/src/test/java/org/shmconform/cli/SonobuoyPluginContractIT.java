package org.shmconform.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;

/**
 * The Sonobuoy plugin's container contract, run with the local Docker engine: the plugin's image runs its
 * entrypoint with RESULTS_DIR mounted; the container writes a tarball there and, last, the tarball's path into
 * RESULTS_DIR/done; the tarball holds junit.xml (the plugin's result-format) and the report folder, whose
 * results.json 'shmconform merge' reads. The image is the plugin's entrypoint and the jar on the worker image
 * this machine already has (no registry is reachable), with the host's tar, gzip, sed, tail and cp added; the
 * plugin definition must name the entrypoint's path, the image's results folder and the junit format.
 */
class SonobuoyPluginContractIT {
    private static final Path REPO = Path.of(System.getProperty("user.dir")).getParent();
    private static final String DOCKER = "/usr/bin/docker";

    @TempDir
    Path dir;

    private static String run(Path workdir, List<String> argv, long seconds) throws Exception {
        Process p = new ProcessBuilder(argv).directory(workdir == null ? null : workdir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(seconds, TimeUnit.SECONDS), "timed out: " + argv);
        assertEquals(0, p.exitValue(), argv + ":\n" + out);
        return out.trim();
    }

    private static String workerImage() throws Exception {
        try {
            String images = run(null, List.of(DOCKER, "images", "--format", "{{.Repository}}:{{.Tag}}", "shmconform-worker"), 30);
            return images.lines().filter(l -> !l.isBlank()).findFirst().orElse(null);
        } catch (IOException | AssertionError e) {
            return null;
        }
    }

    @Test
    void thePluginsContainerWritesItsResultsThenDoneAndTheResultsMerge() throws Exception {
        Path jar = REPO.resolve("cli/target/shmconform.jar");
        assumeTrue(Files.isRegularFile(jar), "NOT_AVAILABLE: cli/target/shmconform.jar is built by 'package' (./mvnw -B verify runs it first)");
        String base = workerImage();
        assumeTrue(base != null, "NOT_AVAILABLE: no Docker engine or no shmconform-worker image here"
                + " (docker/start-engine.sh, then any run with -e docker-private builds the image)");

        JsonNode plugin = new ObjectMapper(new YAMLFactory()).readTree(REPO.resolve("ci/sonobuoy/shmconform-plugin.yaml").toFile());
        assertEquals("junit", plugin.at("/sonobuoy-config/result-format").asText());
        assertEquals("DaemonSet", plugin.at("/sonobuoy-config/driver").asText());
        String resultsDir = plugin.at("/spec/env").findValuesAsText("value").get(0);
        assertEquals(resultsDir, plugin.at("/spec/volumeMounts/0/mountPath").asText(), "RESULTS_DIR is the mounted results folder");
        List<String> command = new ArrayList<>();
        plugin.at("/spec/command").forEach(c -> command.add(c.asText()));

        Path context = Files.createDirectories(dir.resolve("context"));
        Files.createDirectories(context.resolve("tools"));
        Files.createDirectories(context.resolve("lib"));
        for (String tool : List.of("tar", "gzip", "sed", "tail", "cp")) {
            Path bin = Path.of(run(null, List.of("sh", "-c", "command -v " + tool), 10));
            Files.copy(bin, context.resolve("tools").resolve(tool), StandardCopyOption.COPY_ATTRIBUTES);
            for (String lib : run(null, List.of("sh", "-c", "ldd " + bin + " | grep -o '/[^ ]*\\.so[^ ]*'"), 10).split("\\s+")) {
                Files.copy(Path.of(lib).toRealPath(), context.resolve("lib").resolve(Path.of(lib).getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.copy(jar, context.resolve("shmconform.jar"));
        Files.copy(REPO.resolve("ci/sonobuoy/entrypoint.sh"), context.resolve("entrypoint.sh"));
        Files.writeString(context.resolve("Dockerfile"), "FROM " + base + "\nCOPY tools/ /bin/\nCOPY lib/ /lib/x86_64-linux-gnu/\n"
                + "COPY shmconform.jar entrypoint.sh /opt/shmconform/\n");
        String image = "shmconform-sonobuoy-contract:" + ProcessHandle.current().pid();
        Path results = Files.createDirectories(dir.resolve("results"));
        try {
            run(context, List.of(DOCKER, "build", "-q", "-t", image, "."), 300);
            List<String> argv = new ArrayList<>(List.of(DOCKER, "run", "--rm", "-e", "RESULTS_DIR=" + resultsDir, "-e", "NODE_NAME=contract",
                    "-e", "SHMCONFORM_ARGS=-s data-shared -b sysv -e local --fuzz-schedules 0", "-v", results + ":" + resultsDir,
                    "--entrypoint", command.get(0), image));
            argv.addAll(command.subList(1, command.size()));
            run(null, argv, 600);
        } finally {
            new ProcessBuilder(DOCKER, "rmi", "-f", image).redirectErrorStream(true).start().waitFor(60, TimeUnit.SECONDS);
        }

        String done = Files.readString(results.resolve("done"));
        assertEquals(resultsDir + "/shmconform-contract.tar.gz", done, "done names the results file, inside RESULTS_DIR");
        Path unpacked = Files.createDirectories(dir.resolve("unpacked"));
        run(unpacked, List.of("tar", "xzf", results.resolve("shmconform-contract.tar.gz").toString()), 60);
        Element root = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(unpacked.resolve("junit.xml").toFile()).getDocumentElement();
        assertEquals("testsuites", root.getTagName());
        assertEquals("1", root.getAttribute("tests"), "one scenario run, as asked");
        assertEquals("0", root.getAttribute("failures"));
        assertTrue(Files.readString(unpacked.resolve("console.txt")).contains("shmconform: PASS — "), "the summary line, in UTF-8");
        Path resultsJson = MergeCommand.resultsJson(unpacked.resolve("shmconform-report"));
        assertTrue(Files.readString(resultsJson).contains("\"schema\" : \"shmconform-results/2\""));
    }
}
