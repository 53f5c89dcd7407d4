package org.shmconform.engine.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import org.shmconform.backends.host.Pidfd;
import org.shmconform.spi.SharedMemoryBackend;
import org.shmconform.engine.launch.WorkerCommand;
import org.shmconform.engine.launch.WorkerHandle;
import org.shmconform.worker.protocol.WorkerProtocol;
import org.shmconform.worker.protocol.WorkerProtocol.Hello;
import org.shmconform.worker.WorkerMain;

/**
 * The real Java worker in an environment: it says hello, answers a request, dies by SIGKILL with
 * status 137 (the process itself, not a wrapper), and a second one ends with 0 when its stdin closes.
 */
final class JavaWorkerCheck {
    private JavaWorkerCheck() {
    }

    /** @return how long the first worker took from start() to its hello line, in ms */
    static long check(Environment env, Path tmp) throws Exception {
        WorkerCommand command = javaWorker(tmp);
        long started = System.nanoTime();
        WorkerHandle first = env.start(command, "a");
        try {
            CompletableFuture<byte[]> errors = EnvProbe.readAll(first.stderr());
            BufferedReader out = new BufferedReader(new InputStreamReader(first.stdout(), StandardCharsets.UTF_8));
            Hello hello = helloOf(out.readLine(), errors);
            long helloMillis = (System.nanoTime() - started) / 1_000_000;
            System.out.println(env.name() + ": Java worker hello after " + helloMillis + " ms, pid " + hello.pid());
            assertEquals(EnvTestBackend.NAME, hello.backend());
            assertTrue(hello.pid() > 0);

            send(first.stdin(), "{\"seq\":1,\"op\":\"sleep\",\"ms\":1}");
            assertTrue(WorkerProtocol.decodeReply(out.readLine()).ok(), "sleep answered");

            OptionalLong hostPid = first instanceof DockerWorkerHandle d ? d.hostPid() : OptionalLong.empty();
            Pidfd pinned = null;
            if (first instanceof DockerWorkerHandle) {
                assertTrue(hostPid.isPresent(), "the container worker is found among the host's processes");
                pinned = Pidfd.open(hostPid.getAsLong());
                assertTrue(pinned != null && first.pins(pinned), "a pidfd on the worker's host pid pins the worker");
                try (Pidfd harness = Pidfd.open(ProcessHandle.current().pid())) {
                    assertFalse(first.pins(harness), "a pidfd on another process does not pin the worker");
                }
            }
            first.kill();
            assertEquals(137, first.awaitExit(Duration.ofSeconds(120)), "exit status after SIGKILL");
            if (pinned != null) {
                // Dead: its pid no longer carries the worker's marker (a zombie's environment reads empty).
                Pidfd dead = pinned;
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(120)).until(dead::exited);
                assertFalse(first.pins(dead), "a dead worker is still taken for pinned");
                dead.close();
            }
            assertFalse(first.isAlive());
            hostPid.ifPresent(pid -> assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
                    "the worker JVM itself is dead, not only the docker client"));
        } finally {
            first.kill();
            first.release();
        }

        long secondStarted = System.nanoTime();
        WorkerHandle second = env.start(command, "a");
        try {
            CompletableFuture<byte[]> errors = EnvProbe.readAll(second.stderr());
            BufferedReader out = new BufferedReader(new InputStreamReader(second.stdout(), StandardCharsets.UTF_8));
            helloOf(out.readLine(), errors);
            System.out.println(env.name() + ": second Java worker of the group, hello after "
                    + (System.nanoTime() - secondStarted) / 1_000_000 + " ms");
            second.stdin().close();
            assertEquals(0, second.awaitExit(Duration.ofSeconds(120)), "a worker ends by itself when its stdin closes");
        } finally {
            second.kill();
            second.release();
        }
        return (System.nanoTime() - started) / 1_000_000;
    }

    private static Hello helloOf(String line, CompletableFuture<byte[]> errors) throws IOException {
        if (line == null) {
            throw new AssertionError("no hello; stderr: " + new String(errors.join(), StandardCharsets.UTF_8));
        }
        Hello hello = WorkerProtocol.decodeReply(line).value(Hello.class);
        assertNotNull(hello, line);
        return hello;
    }

    private static void send(OutputStream in, String line) throws IOException {
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    /** WorkerMain on this JVM's class path plus a directory that registers {@link EnvTestBackend}. */
    static WorkerCommand javaWorker(Path tmp) throws IOException {
        Path services = tmp.resolve("envtest-services");
        Path file = services.resolve("META-INF/services/" + SharedMemoryBackend.class.getName());
        Files.createDirectories(file.getParent());
        Files.writeString(file, EnvTestBackend.class.getName() + "\n");
        List<Path> classPath = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            classPath.add(Path.of(entry));
        }
        classPath.add(services);
        String cp = String.join(java.io.File.pathSeparator, classPath.stream().map(Path::toString).toList());
        Path java = Path.of(ProcessHandle.current().info().command().orElse("java"));
        Path logs = Files.createDirectories(tmp.resolve("logs"));
        // The options the engine gives its workers, among them an hs_err path the container must be able to write.
        List<String> args = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto",
                "-XX:+DisplayVMOutputToStderr", "-XX:-CreateCoredumpOnCrash", "-XX:ErrorFile=" + logs.resolve("hs_err_pid%p.log"),
                "-cp", cp, WorkerMain.class.getName(), EnvTestBackend.NAME);
        return new WorkerCommand(java, args, classPath, Map.of("TMPDIR", tmp.toString()), null);
    }
}
