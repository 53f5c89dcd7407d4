package org.shmconform.engine.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exec through the engine's socket against a small engine of this test's own on a unix socket, which answers as
 * Docker 20.10 does (measured with the real one: 201 and the exec's id, 101 UPGRADED and the raw stream, the exec's
 * record with Running, ExitCode and Pid); frames and chunks are cut where a real connection may cut them.
 */
@org.junit.jupiter.api.Timeout(30) // a reader that never sees its frame's end must fail the test, not hang the build
class EngineApiExecTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EXEC_ID = "e1e2e3e4e5e6e7e8e9";

    @TempDir
    Path dir;
    private ServerSocketChannel server;
    private Thread engineThread;
    private final CompletableFuture<JsonNode> created = new CompletableFuture<>();
    private final CompletableFuture<String> stdinSeen = new CompletableFuture<>();
    /** What the fake engine's start does: the default conversation, a frame larger than the reader's buffer, or nothing. */
    private volatile String startMode = "talk";
    private volatile boolean stillRunning;

    @BeforeEach
    void startEngine() throws IOException {
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(dir.resolve("engine.sock")));
        engineThread = new Thread(this::serve, "fake-engine");
        engineThread.setDaemon(true);
        engineThread.start();
    }

    @AfterEach
    void stopEngine() throws Exception {
        server.close();
        engineThread.join(5000);
    }

    @Test
    void streamsAreSplitByFrameAndTheStatusIsTheEnginesRecord() throws Exception {
        DockerEngineSocket engine = DockerEngineSocket.find("unix://" + dir.resolve("engine.sock"), "api");
        assertNotNull(engine, "a socket root owns that answers /_ping is used");
        EngineApiExec exec = EngineApiExec.start(engine, "c1", "nobody", Map.of("A", "1"), List.of("java", "-version"));
        JsonNode spec = created.get(5, TimeUnit.SECONDS);
        assertEquals("[\"java\",\"-version\"]", spec.get("Cmd").toString());
        assertEquals("[\"A=1\"]", spec.get("Env").toString());
        assertEquals("nobody", spec.get("User").asText());
        assertEquals(true, spec.get("AttachStdin").asBoolean());

        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(exec.stderr()));
        byte[] first = new byte[6];
        int n = 0;
        while (n < 6) {
            n += exec.stdout().read(first, n, 6 - n);
        }
        assertEquals("hello\n", new String(first, StandardCharsets.UTF_8), "a frame cut inside its header and its payload");
        exec.stdin().write("ping\n".getBytes(StandardCharsets.UTF_8));
        exec.stdin().close(); // the write side only: the answer still arrives
        assertEquals("ping\n", stdinSeen.get(5, TimeUnit.SECONDS));
        assertEquals("got ping\n", new String(readAll(exec.stdout()), StandardCharsets.UTF_8));
        assertEquals("oops\n", new String(err.get(5, TimeUnit.SECONDS), StandardCharsets.UTF_8));
        assertEquals(137, exec.awaitEnd(Duration.ofSeconds(5)));
        assertFalse(exec.running());
        assertFalse(exec.endedHere());
        assertEquals(4242L, exec.hostPid().orElse(-1));
    }

    @Test
    void aFrameLargerThanTheReadersBufferArrivesWhole() throws Exception {
        startMode = "big";
        DockerEngineSocket engine = DockerEngineSocket.find("unix://" + dir.resolve("engine.sock"), "api");
        EngineApiExec exec = EngineApiExec.start(engine, "c1", null, Map.of(), List.of("cat"));
        byte[] out = readAll(exec.stdout());
        assertEquals(200_001, out.length);
        assertEquals('x', out[199_999]);
        assertEquals('\n', out[200_000]);
        assertEquals(137, exec.awaitEnd(Duration.ofSeconds(5)));
    }

    /** Ended here (the container unreachable): the streams end, and the exec's end says nothing of the process. */
    @Test
    void anExecEndedHereEndsItsStreamsAndIsNotTakenForTheProcesssEnd() throws Exception {
        startMode = "silent";
        stillRunning = true;
        DockerEngineSocket engine = DockerEngineSocket.find("unix://" + dir.resolve("engine.sock"), "api");
        EngineApiExec exec = EngineApiExec.start(engine, "c1", null, Map.of(), List.of("cat"));
        assertEquals(null, exec.awaitEnd(Duration.ofMillis(50)), "still running: no status");
        exec.endHere();
        assertEquals(-1, exec.stdout().read(), "stdout ends");
        assertEquals(-1, exec.stderr().read(), "stderr ends");
        assertFalse(exec.running());
        org.junit.jupiter.api.Assertions.assertTrue(exec.endedHere());
        assertNull(exec.awaitEnd(Duration.ofMillis(50)), "the engine says it still runs: no status is made up");
    }

    @Test
    void aSocketThatIsNotRootsOrIsReachedThroughALinkIsNotUsed() throws Exception {
        Path socket = dir.resolve("engine.sock");
        assertNull(DockerEngineSocket.find("tcp://127.0.0.1:2375", "api"), "the client reaches tcp engines");
        assertNull(DockerEngineSocket.find("unix://" + socket, "cli"), "-Dshmconform.dockerExec=cli");
        Path link = dir.resolve("link.sock");
        Files.createSymbolicLink(link, socket);
        assertNull(DockerEngineSocket.find("unix://" + link, "api"), "a link is not followed");
        assumeTrue("root".equals(System.getProperty("user.name")), "only root can give the socket away");
        Files.setOwner(socket, socket.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
        assertNull(DockerEngineSocket.find("unix://" + socket, "api"), "a socket another user owns");
    }

    @Test
    void aChunkedAnswerIsJoined() throws Exception {
        byte[] raw = "4\r\n{\"Id\r\n6;x=y\r\n\":\"ab\"\r\n1\r\n}\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        assertEquals("{\"Id\":\"ab\"}", new String(DockerEngineSocket.dechunk(raw), StandardCharsets.US_ASCII));
    }

    private static byte[] readAll(java.io.InputStream in) {
        try {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void serve() {
        while (server.isOpen()) {
            try (SocketChannel ch = server.accept()) {
                Request r = Request.read(ch);
                if (r.path.equals("/_ping")) {
                    write(ch, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK");
                } else if (r.path.equals("/containers/c1/exec")) {
                    created.complete(JSON.readTree(r.body));
                    String id = "{\"Id\":\"" + EXEC_ID + "\"}\n";
                    write(ch, "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(id.length() - 5) + "\r\n"
                            + id.substring(0, id.length() - 5) + "\r\n5\r\n" + id.substring(id.length() - 5) + "\r\n0\r\n\r\n");
                } else if (r.path.equals("/exec/" + EXEC_ID + "/start")) {
                    write(ch, "HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n");
                    if (startMode.equals("big")) {
                        ch.write(ByteBuffer.wrap(frame(1, "x".repeat(200_000) + "\n")));
                        continue; // closed: the stream ends
                    }
                    if (startMode.equals("silent")) {
                        while (ch.read(ByteBuffer.allocate(64)) >= 0) {
                            // holds the stream open until the other side closes it
                        }
                        continue;
                    }
                    byte[] hello = frame(1, "hello\n");
                    ch.write(ByteBuffer.wrap(hello, 0, 5)); // cut inside the header
                    Thread.sleep(20);
                    ch.write(ByteBuffer.wrap(hello, 5, 4)); // and inside the payload
                    Thread.sleep(20);
                    ByteBuffer rest = ByteBuffer.allocate(hello.length - 9 + 64);
                    rest.put(hello, 9, hello.length - 9).put(frame(2, "oops\n")).flip();
                    ch.write(rest);
                    ByteArrayOutputStream in = new ByteArrayOutputStream();
                    ByteBuffer b = ByteBuffer.allocate(256);
                    while (ch.read(b) >= 0) {
                        b.flip();
                        in.write(b.array(), 0, b.limit());
                        b.clear();
                    }
                    String got = in.toString(StandardCharsets.UTF_8);
                    stdinSeen.complete(got);
                    ch.write(ByteBuffer.wrap(frame(1, "got " + got)));
                } else if (r.path.equals("/exec/" + EXEC_ID + "/json")) {
                    String state = stillRunning ? "{\"Running\":true,\"ExitCode\":0,\"Pid\":4242}"
                            : "{\"Running\":false,\"ExitCode\":137,\"Pid\":4242}";
                    write(ch, "HTTP/1.1 200 OK\r\nContent-Length: " + state.length() + "\r\n\r\n" + state);
                } else {
                    write(ch, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
                }
            } catch (IOException | InterruptedException e) {
                return; // closed at the test's end
            }
        }
    }

    private static byte[] frame(int stream, String payload) {
        byte[] p = payload.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + p.length).put((byte) stream).put(new byte[3]).putInt(p.length).put(p).array();
    }

    private static void write(SocketChannel ch, String s) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(s.getBytes(StandardCharsets.ISO_8859_1));
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** A request's path and body (by its Content-Length). */
    private record Request(String path, byte[] body) {
        static Request read(SocketChannel ch) throws IOException {
            ByteArrayOutputStream seen = new ByteArrayOutputStream();
            ByteBuffer b = ByteBuffer.allocate(1);
            while (!seen.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                if (ch.read(b) < 0) {
                    throw new IOException("closed before the request's headers ended");
                }
                seen.write(b.get(0));
                b.clear();
            }
            String head = seen.toString(StandardCharsets.ISO_8859_1);
            String path = head.split(" ", 3)[1];
            int length = 0;
            for (String line : head.split("\r\n")) {
                if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(15).trim());
                }
            }
            ByteBuffer body = ByteBuffer.allocate(length);
            while (body.hasRemaining() && ch.read(body) >= 0) {
                // until the body is in
            }
            return new Request(path, body.array());
        }
    }
}
