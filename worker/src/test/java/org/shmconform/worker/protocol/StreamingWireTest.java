package org.shmconform.worker.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.shmconform.spi.Args;
import org.shmconform.spi.Op;
import org.shmconform.worker.WorkerMain;
import org.shmconform.worker.protocol.WorkerProtocol.BadRequest;
import org.shmconform.worker.protocol.WorkerProtocol.Reply;
import org.shmconform.worker.protocol.WorkerProtocol.Request;
import org.shmconform.worker.protocol.WorkerProtocol.Reset;
import org.shmconform.worker.protocol.WorkerProtocol.Value;

/**
 * The worker writes its lines with jackson-core's streaming generator and the harness reads them with databind: the
 * two must agree on every shape, byte for byte, and a worker must never load databind (its cost is the point).
 */
class StreamingWireTest {
    private static final List<Value> VALUES = List.of(
            new WorkerProtocol.Hello(1, 12, 13, "java", "sysv"),
            new WorkerProtocol.Hello(1, 12, 13, "qt-6.8.2", "qt", "legacy-sysv"),
            new WorkerProtocol.Hello(1, 5, 6, "java", "memfd-fd", null, new WorkerProtocol.Inherited(true, "NoError", "")),
            new WorkerProtocol.Hello(1, 5, 6, "java", "memfd-fd", null, new WorkerProtocol.Inherited(false, null, null)),
            new WorkerProtocol.ReadData("00ff7a"), new WorkerProtocol.Size(0), new WorkerProtocol.Size(Long.MAX_VALUE),
            new WorkerProtocol.Attached(true), new WorkerProtocol.Attached(false), new WorkerProtocol.NativeKey("qipc_\"é\\\n"),
            new WorkerProtocol.ErrorState("NotFound", "QSharedMemory::attach: doesn't exist"), new WorkerProtocol.ErrorState(null, null),
            new WorkerProtocol.LockTaken(true), new WorkerProtocol.Spawned(4321), new WorkerProtocol.Released(0, 99),
            new WorkerProtocol.Released(0, 99, "posix"));

    private static List<Reply> replies() {
        List<Reply> all = new ArrayList<>();
        for (Value v : VALUES) {
            all.add(new Reply(7, true, v, "NoError", 0, "", null));
        }
        all.add(new Reply(8, false, null, "UnknownError", 8, "bad \u0001 thing", "unknown op \"x\""));
        all.add(new Reply(9, true, null, null, null, null, null));
        all.add(new Reply(0, false, null, "NotFound", null, "x", null));
        return all;
    }

    @Test
    void everyReplyIsWrittenAsDatabindWroteItAndReadsBack() throws IOException {
        for (Reply r : replies()) {
            String line = WorkerProtocol.encode(r);
            assertEquals(WorkerProtocol.json().writeValueAsString(r), line);
            assertFalse(line.contains("\n"), line);
            assertEquals(r, WorkerProtocol.decodeReply(line));
        }
    }

    @Test
    void everyRequestIsWrittenAsDatabindWroteItAndReadsBack() throws IOException {
        Args full = new Args("k\"\u00e9", 64L, "ReadOnly", 3L, 4, "6869", 5L, "/run/x/y", null, null);
        for (Op op : Op.values()) {
            for (Request r : List.of(new Request(11, op, Args.NONE), new Request(12, op, full, 65534))) {
                String line = WorkerProtocol.encode(r);
                assertEquals(WorkerProtocol.json().writeValueAsString(r), line);
                if (r.args() == Args.NONE && !WorkerProtocol.NEEDS.get(op).isEmpty()) {
                    // without the arguments it needs, an op is a protocol error of its line ("Malformed requests")
                    assertEquals(11, assertThrows(BadRequest.class, () -> WorkerProtocol.decodeRequest(line)).seq(), line);
                    continue;
                }
                assertEquals(r, WorkerProtocol.decodeRequest(line));
                assertEquals(r, WorkerProtocol.decodeLine(line));
            }
        }
        assertEquals("{\"seq\":3,\"op\":\"reset\"}", WorkerProtocol.encode(new Reset(3)));
        assertEquals(new Reset(3), WorkerProtocol.decodeLine("{\"op\":\"reset\",\"seq\":3}"));
        assertEquals(3, assertThrows(BadRequest.class, () -> WorkerProtocol.decodeRequest("{\"seq\":3,\"op\":\"reset\"}")).seq());
        // A reset that names the backend to serve next (the pool hands a Java worker to another Java column).
        assertEquals("{\"seq\":4,\"op\":\"reset\",\"backend\":\"posix\"}", WorkerProtocol.encode(new Reset(4, "posix")));
        assertEquals(new Reset(4, "posix"), WorkerProtocol.decodeLine("{\"backend\":\"posix\",\"op\":\"reset\",\"seq\":4}"));
        BadRequest notText = assertThrows(BadRequest.class, () -> WorkerProtocol.decodeLine("{\"seq\":5,\"op\":\"reset\",\"backend\":7}"));
        assertEquals(5, notText.seq());
        assertEquals("bad request: \"backend\" is not a string", notText.getMessage());
    }

    @Test
    void fieldsComeInAnyOrderUnknownOnesAreSkippedAndNullIsAbsent() throws IOException {
        Request r = WorkerProtocol.decodeRequest("{\"extra\":{\"a\":[1,{\"op\":\"x\"}]},\"offset\":2,\"op\":\"read\","
                + "\"key\":null,\"more\":[\"seq\",3],\"length\":5,\"seq\":4}");
        assertEquals(new Request(4, Op.read, Args.NONE.withOffset(2L).withLength(5)), r);
    }

    @Test
    void aFieldOfTheWrongTypeIsABadRequestWithTheLinesSeq() {
        for (String line : List.of("{\"seq\":9,\"op\":\"read\",\"offset\":\"x\"}", "{\"op\":\"read\",\"length\":[1],\"seq\":9}",
                "{\"seq\":9,\"op\":\"create\",\"key\":{\"k\":1}}", "{\"seq\":9,\"op\":\"read\",\"length\":4294967296}",
                "{\"seq\":9,\"op\":7}", "{\"seq\":9,\"op\":{\"x\":1}}", "{\"seq\":9,\"op\":\"read\",\"offset\":1.5}")) {
            BadRequest e = assertThrows(BadRequest.class, () -> WorkerProtocol.decodeRequest(line), line);
            assertEquals(9, e.seq(), line);
        }
        for (String line : List.of("", "   ", "{\"seq\":9,\"op\":\"size\"", "{\"seq\":9,\"op\":\"size\",}", "\"size\"", "null")) {
            assertEquals(0, assertThrows(BadRequest.class, () -> WorkerProtocol.decodeRequest(line), line).seq(), line);
        }
    }

    /** A real worker JVM answers a request and exits without loading one class of jackson-databind. */
    @Test
    void aWorkerNeverLoadsDatabind(@TempDir Path dir) throws Exception {
        Path classes = dir.resolve("classes.log");
        ProcessBuilder worker = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xlog:class+load=info:file=" + classes, "-cp", System.getProperty("java.class.path"), WorkerMain.class.getName(), "sysv")
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        worker.environment().put("TMPDIR", dir.toString()); // a System V key file would go there, not to /tmp
        Process p = worker.start();
        p.getOutputStream().write("{\"seq\":1,\"op\":\"size\"}\n{\"seq\":2,\"op\":\"exit\"}\n".getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().flush();
        List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the worker did not exit");
        assertEquals(3, lines.size(), String.join("\n", lines));
        assertInstanceOf(WorkerProtocol.Hello.class, WorkerProtocol.decodeReply(lines.get(0)).value());
        assertEquals(new WorkerProtocol.Size(0), WorkerProtocol.decodeReply(lines.get(1)).value());
        String loaded = Files.readString(classes);
        assertTrue(loaded.contains("com.fasterxml.jackson.core.JsonFactory"), "the class log is not the worker's");
        assertFalse(loaded.contains("com.fasterxml.jackson.databind."),
                loaded.lines().filter(l -> l.contains("databind")).findFirst().orElse(""));
    }
}
