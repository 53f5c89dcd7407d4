package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.shmconform.backends.mmapfile.MmapFileBackend;
import org.shmconform.engine.launch.WorkerCommand;
import org.shmconform.spi.Args;
import org.shmconform.spi.Op;
import org.shmconform.worker.protocol.WorkerProtocol;
import org.shmconform.worker.protocol.WorkerProtocol.Request;

/**
 * The Java worker's class-data archive is dumped by a worker that served its first operations, not its hello alone: a
 * worker started with it finds the classes of a create on the archive (the segment's, libc's functions', the key's
 * SHA-1), it starts none of the JCA's providers (docs/fuzz-notes.md, "Worker starts: no JCA"), and the directory the
 * dump's segment lived in is gone. The archive is dumped afresh, in a state directory of the test's own.
 */
class WorkerArchiveTest {
    private static final List<String> OP_PATH = List.of("org.shmconform.backends.mmapfile.MmapFileSegment",
            "org.shmconform.backends.linux.LibCFunctions", "org.shmconform.backends.QtKeys", "org.shmconform.backends.Sha1");

    private Path state;

    /** A cache of the test's own: the archive is dumped here, and no other harness's dump is under way in it. */
    @BeforeEach
    void freshState() {
        state = PrivateState.use();
    }

    @AfterEach
    void removeState() {
        PrivateState.remove(state);
    }

    @Test
    void aWorkersFirstCreateLoadsItsClassesFromTheArchiveStartsNoJcaProviderAndTheDumpLeavesNoDirectory() throws Exception {
        try (RunContext run = RunContext.create()) {
            WorkerCommand command = new WorkerCommands(run).command("mmapfile", null, null);
            assertTrue(command.arguments().stream().anyMatch(a -> a.startsWith("-XX:SharedArchiveFile=")), command.arguments().toString());
            try (Stream<Path> cache = Files.list(RunContext.cacheDir())) {
                List<Path> left = cache.filter(p -> p.getFileName().toString().startsWith(WorkerClassDataSharing.DUMP_SCRATCH_PREFIX)).toList();
                assertEquals(List.of(), left, "the dump's segment directory stays");
            }
            Path segments = Files.createDirectory(run.runDir().resolve("archive-test-segments"));
            Path loaded = run.logs().resolve("archive-test-classes.log");
            List<String> argv = new ArrayList<>();
            argv.add(command.program().toString());
            argv.add("-Xlog:class+load:file=" + loaded);
            argv.addAll(command.arguments());
            ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
            builder.environment().putAll(command.environment());
            builder.environment().put(MmapFileBackend.DIR_VARIABLE, segments.toString());
            Process worker = builder.start();
            try {
                Args create = new Args("archive-test", 64L, "ReadWrite", null, null, null, null);
                worker.getOutputStream().write((WorkerProtocol.encode(new Request(1, Op.create, create)) + "\n"
                        + WorkerProtocol.encode(new Request(2, Op.exit, Args.NONE)) + "\n").getBytes(StandardCharsets.UTF_8));
                worker.getOutputStream().close();
                assertTrue(worker.waitFor(60, TimeUnit.SECONDS), "the worker exited");
                assertEquals(0, worker.exitValue());
            } finally {
                worker.destroyForcibly().waitFor();
            }
            List<String> lines = Files.readAllLines(loaded);
            for (String c : OP_PATH) {
                List<String> of = lines.stream().filter(l -> l.contains(" " + c + " ")).toList();
                assertEquals(1, of.size(), c + " loaded once: " + of);
                assertTrue(of.get(0).contains("source: shared objects file"), of.get(0));
            }
            assertEquals(List.of(), lines.stream().filter(l -> l.contains(" sun.security.jca.Providers ")).toList(),
                    "the create started the JCA's providers (a MessageDigest or a SecureRandom on a worker's first create)");
            try (Stream<Path> left = Files.list(segments)) {
                assertEquals(List.of(), left.toList(), "the worker's exit removed its segment");
            }
        }
    }
}
