package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.ExtendWith;
import org.shmconform.engine.env.LocalEnvironment;
import org.shmconform.spi.Availability;
import org.shmconform.worker.protocol.WorkerProtocol;
import org.shmconform.worker.protocol.WorkerProtocol.Hello;
import org.shmconform.worker.protocol.WorkerProtocol.Reply;
import org.shmconform.engine.launch.WorkerHandle;

/**
 * The worker protocol's conformance script (protocol-conformance.jsonl, beside WorkerProtocol)
 * run on real worker processes: the Java worker of two backends, the Qt 6.4 reference worker and the Qt 6.8 worker
 * of its root (qt68-sysv; aborted where the root is not built), started as the engine starts them. Every reply must match the script and decode into the
 * protocol's typed records without losing a field. The key carries the run's id; whatever the
 * workers leave is reaped by the run, and the workers are expected to leave nothing.
 */
@ExtendWith(TakesTheKeyFileTurn.class)
class ProtocolConformanceTest {
    private static final String SCRIPT = "/org/shmconform/worker/protocol/protocol-conformance.jsonl";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A guard against a hung worker, not a verdict: a reply that never comes fails the test with the worker's log. */
    private static final Duration HANG_GUARD = Duration.ofSeconds(60);
    private static RunContext run;

    @BeforeAll
    static void start() {
        run = RunContext.create();
    }

    @AfterAll
    static void stop() {
        run.close();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sysv", "posix", QtReferenceWorker.IMPL, Qt68Columns.SYSV})
    void workerPassesTheConformanceScript(String column) throws Exception {
        Availability here = Subjects.here().availability(column);
        if (!here.available()) {
            Assumptions.abort(column + " cannot run here: " + here.reason());
        }
        String prefix = run.nextExecutionPrefix();
        String key = prefix + "conf";
        run.ledger().intend(key, List.of(run.workerTmp()));
        Map<String, ScriptedWorker> workers = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        try {
            WorkerCommands commands = new WorkerCommands(run);
            LocalEnvironment local = new LocalEnvironment();
            for (String id : List.of("A", "B")) {
                Path log = run.logs().resolve(prefix + "-" + id + ".stderr.log");
                workers.put(id, new ScriptedWorker(local.start(commands.command(column, null, null), "g"), log));
            }
            int lineNo = 0;
            for (String line : script()) {
                lineNo++;
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                JsonNode step = JSON.readTree(line.replace("${key}", key));
                ScriptedWorker w = workers.get(step.path("worker").asText());
                String where = column + " line " + lineNo + " (" + step.path("worker").asText() + " "
                        + (step.has("send") ? step.get("send").path("op").asText() : step.has("sendLine") || step.has("sendHex") ? "raw line" : "hello") + ")";
                if (step.has("send")) {
                    w.send(JSON.writeValueAsString(step.get("send")));
                } else if (step.has("sendLine")) {
                    w.send(step.get("sendLine").asText());
                } else if (step.has("sendHex")) {
                    w.sendBytes(java.util.HexFormat.of().parseHex(step.get("sendHex").asText()));
                }
                String replyLine = w.next();
                assertNotNull(replyLine, where + ": no reply within " + HANG_GUARD + "; worker log " + w.log + ":\n" + w.logText());
                check(where, step, replyLine, problems);
                if (step.has("exits")) {
                    assertEquals(step.get("exits").asInt(), w.handle.awaitExit(HANG_GUARD), where + ": exit status");
                }
            }
        } finally {
            for (ScriptedWorker w : workers.values()) {
                w.stop();
            }
            Reaper.afterExecution(run, prefix, notes);
        }
        assertEquals(List.of(), problems, column + " deviates from the protocol script");
        // exit destroys the segment object as the QSharedMemory destructor does: nothing of the key is left to reap
        assertEquals(List.of(), notes.stream().filter(n -> n.startsWith("reaped")).toList(), column + " left objects behind");
    }

    /** The reply against the script's line, and against the typed records. */
    private static void check(String where, JsonNode step, String replyLine, List<String> problems) throws IOException {
        JsonNode reply;
        try {
            reply = JSON.readTree(replyLine);
        } catch (IOException e) {
            problems.add(where + ": reply is not JSON: " + replyLine);
            return;
        }
        match(where, "", step.path("expect"), reply, problems);
        step.path("types").fields().forEachRemaining(t -> {
            JsonNode v = at(reply, t.getKey());
            if (v == null || !isType(v, t.getValue().asText())) {
                problems.add(where + ": " + t.getKey() + " should be a " + t.getValue().asText() + ", got " + v);
            }
        });
        boolean errorExpected = step.path("expect").has("protocolError") || step.path("types").has("protocolError");
        if (reply.has("protocolError") && !errorExpected) {
            problems.add(where + ": unexpected protocol error " + reply.get("protocolError"));
        }
        try {
            Reply typed = WorkerProtocol.decodeReply(replyLine);
            if (!JSON.readTree(WorkerProtocol.encode(typed)).equals(reply)) {
                problems.add(where + ": the typed reply loses fields: " + replyLine + " became " + WorkerProtocol.encode(typed));
            }
            if (step.path("hello").asBoolean()) {
                if (typed.value(Hello.class) == null) {
                    problems.add(where + ": the hello's value is no Hello: " + replyLine);
                }
                System.out.println(where + ": " + replyLine); // which worker answered, as evidence in the test's output
            }
        } catch (IOException e) {
            problems.add(where + ": the typed records cannot read " + replyLine + ": " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    private static void match(String where, String path, JsonNode expected, JsonNode actual, List<String> problems) {
        if (expected.isObject()) {
            if (actual == null || !actual.isObject()) {
                problems.add(where + ": " + (path.isEmpty() ? "reply" : path) + " should be an object, got " + actual);
                return;
            }
            expected.fields().forEachRemaining(f -> match(where, path.isEmpty() ? f.getKey() : path + "." + f.getKey(),
                    f.getValue(), actual.get(f.getKey()), problems));
        } else if (actual == null || !expected.equals(actual)) {
            problems.add(where + ": " + path + " should be " + expected + ", got " + actual);
        }
    }

    private static JsonNode at(JsonNode node, String path) {
        JsonNode v = node;
        for (String part : path.split("\\.")) {
            v = v == null ? null : v.get(part);
        }
        return v;
    }

    private static boolean isType(JsonNode v, String type) {
        return switch (type) {
            case "string" -> v.isTextual();
            case "number" -> v.isNumber();
            case "boolean" -> v.isBoolean();
            case "object" -> v.isObject();
            default -> throw new IllegalArgumentException("the script names an unknown type " + type);
        };
    }

    private static List<String> script() throws IOException {
        try (var in = ProtocolConformanceTest.class.getResourceAsStream(SCRIPT)) {
            assertNotNull(in, SCRIPT + " is not on the class path");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
    }

    /** One worker process driven line by line: raw reply lines, stderr copied to its log. */
    private static final class ScriptedWorker {
        /** Compared by identity: no line the worker prints can be this object. */
        private static final String END = new String("end of stdout");
        private final WorkerHandle handle;
        private final Path log;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

        ScriptedWorker(WorkerHandle handle, Path log) {
            this.handle = handle;
            this.log = log;
            Thread reader = new Thread(this::read, "conformance-stdout");
            reader.setDaemon(true);
            reader.start();
            Thread logger = new Thread(this::copyStderr, "conformance-stderr");
            logger.setDaemon(true);
            logger.start();
        }

        void send(String line) throws IOException {
            sendBytes(line.getBytes(StandardCharsets.UTF_8));
        }

        /** A line of raw bytes (not necessarily UTF-8), then its LF. */
        void sendBytes(byte[] line) throws IOException {
            handle.stdin().write(line);
            handle.stdin().write('\n');
            handle.stdin().flush();
        }

        /** The next stdout line, or null at its end or after the hang guard. */
        String next() throws InterruptedException {
            String line = lines.poll(HANG_GUARD.toNanos(), TimeUnit.NANOSECONDS);
            return line == END ? null : line;
        }

        String logText() {
            try {
                return Files.exists(log) ? Files.readString(log) : "(empty)";
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        void stop() throws InterruptedException {
            if (handle.isAlive()) {
                handle.kill();
                handle.awaitExit(HANG_GUARD);
            }
            handle.release();
        }

        private void read() {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(handle.stdout(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the worker is gone: END below
            } finally {
                lines.add(END);
            }
        }

        private void copyStderr() {
            try (var in = handle.stderr(); var out = Files.newOutputStream(log)) {
                in.transferTo(out);
            } catch (IOException e) {
                // log lost; the replies still decide
            }
        }
    }
}
