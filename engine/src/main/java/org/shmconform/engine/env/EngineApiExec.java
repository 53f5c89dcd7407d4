package org.shmconform.engine.env;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code docker exec -i} done through the engine's API ({@link DockerEngineSocket}), as the client does it: an exec
 * made ({@code POST /containers/{id}/exec}), started on a connection the engine hands over to the process's streams
 * ({@code POST /exec/{id}/start} with {@code Upgrade: tcp}), stdout and stderr arriving multiplexed in frames of an
 * 8-byte header (the stream, then the length, big-endian) and the payload, stdin written raw and ended by shutting
 * the connection's write side; the status is asked ({@code GET /exec/{id}/json}) once the engine ended the streams,
 * which it does after the process exited.
 */
final class EngineApiExec implements ContainerExec {
    /** No worker writes a line near this long; a larger frame is a broken stream. */
    private static final long MAX_FRAME = 64L * 1024 * 1024;
    private final DockerEngineSocket engine;
    private final String execId;
    private final SocketChannel ch;
    private final Inbox stdout = new Inbox();
    private final Inbox stderr = new Inbox();
    private final CountDownLatch ended = new CountDownLatch(1);
    private final OutputStream stdin;
    private volatile boolean endedHere;

    private EngineApiExec(DockerEngineSocket engine, String execId, SocketChannel ch) {
        this.engine = engine;
        this.execId = execId;
        this.ch = ch;
        this.stdin = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                DockerEngineSocket.writeFully(ch, ByteBuffer.wrap(b, off, len));
            }

            @Override
            public void close() throws IOException {
                if (ch.isOpen()) {
                    ch.shutdownOutput(); // the process reads end of file; its output still arrives
                }
            }
        };
    }

    /**
     * Runs {@code argv} in the container with {@code env} (and as {@code user}, when not null), its streams attached.
     * Throws when the engine refuses (no such container, not running): the caller reports it as a start that failed.
     */
    static EngineApiExec start(DockerEngineSocket engine, String containerId, String user, Map<String, String> env, List<String> argv)
            throws IOException {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("AttachStdin", true);
        spec.put("AttachStdout", true);
        spec.put("AttachStderr", true);
        spec.put("Tty", false);
        spec.put("Cmd", argv);
        List<String> vars = new ArrayList<>();
        env.forEach((k, v) -> vars.add(k + "=" + v));
        spec.put("Env", vars);
        if (user != null) {
            spec.put("User", user);
        }
        DockerEngineSocket.Answer made = engine.call("POST", "/containers/" + containerId + "/exec", spec);
        if (made.status() != 201) {
            throw new IOException("docker exec in " + containerId + " refused (" + made.status() + "): " + made.text());
        }
        String id = made.json().path("Id").asText();
        if (!id.matches("[0-9a-f]{1,128}")) {
            throw new IOException("docker exec in " + containerId + ": the engine named no exec id (" + made.text() + ")");
        }
        SocketChannel ch = engine.connect();
        try {
            DockerEngineSocket.send(ch, "POST", "/exec/" + id + "/start", Map.of("Detach", false, "Tty", false), true);
            DockerEngineSocket.Head head = DockerEngineSocket.Head.read(ch);
            if (head.status != 101 && head.status != 200) {
                throw new IOException("docker exec " + id + " did not start (" + head.status + "): "
                        + new String(head.body(ch), java.nio.charset.StandardCharsets.UTF_8).strip());
            }
            EngineApiExec exec = new EngineApiExec(engine, id, ch);
            Thread t = new Thread(() -> exec.demultiplex(head.rest), "docker-exec-" + id.substring(0, Math.min(12, id.length())) + "-streams");
            t.setDaemon(true);
            t.start();
            return exec;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** Splits the engine's frames into stdout and stderr until the stream ends (the process ended, or this side closed it). */
    private void demultiplex(ByteBuffer first) {
        ByteBuffer b = ByteBuffer.allocate(Math.max(64 * 1024, 2 * first.remaining()));
        b.put(first);
        try {
            while (true) {
                b.flip();
                while (b.remaining() >= 8) {
                    int type = b.get(b.position()) & 0xff;
                    long length = b.getInt(b.position() + 4) & 0xffffffffL;
                    if (length > MAX_FRAME) {
                        throw new IOException("a frame of " + length + " bytes");
                    }
                    if (b.remaining() < 8 + length) {
                        break; // the rest of it is still to come
                    }
                    b.position(b.position() + 8);
                    byte[] payload = new byte[(int) length];
                    b.get(payload);
                    (type == 2 ? stderr : stdout).add(payload);
                }
                b.compact();
                if (!b.hasRemaining()) { // a frame longer than the buffer: make room for it
                    ByteBuffer bigger = ByteBuffer.allocate(b.capacity() * 2);
                    b.flip();
                    bigger.put(b);
                    b = bigger;
                }
                if (ch.read(b) < 0) {
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            // the connection was closed here (endHere) or by the engine: the streams end either way
        } finally {
            ended.countDown(); // first: a reader that met the streams' end finds the exec not running
            stdout.end();
            stderr.end();
            closeConnection();
        }
    }

    private void closeConnection() {
        try {
            ch.close();
        } catch (IOException e) {
            // closed already
        }
    }

    @Override
    public OutputStream stdin() {
        return stdin;
    }

    @Override
    public InputStream stdout() {
        return stdout;
    }

    @Override
    public InputStream stderr() {
        return stderr;
    }

    @Override
    public Integer awaitEnd(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        if (!ended.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            return null;
        }
        // The engine ends the streams once the process exited; its record says so a moment later at the latest.
        do {
            JsonNode state = inspect();
            if (state == null) {
                return -1;
            }
            if (!state.path("Running").asBoolean(false)) {
                return state.path("ExitCode").asInt(-1);
            }
            Thread.sleep(2);
        } while (System.nanoTime() < deadline);
        return null;
    }

    @Override
    public boolean running() {
        return ended.getCount() > 0;
    }

    @Override
    public void endHere() {
        endedHere = true;
        closeConnection(); // the streams end in demultiplex, which sees the connection closed
    }

    @Override
    public boolean endedHere() {
        return endedHere;
    }

    /** The engine's pid of the process (the host's pid namespace), once it runs. */
    @Override
    public OptionalLong hostPid() {
        JsonNode state = inspect();
        long pid = state == null ? 0 : state.path("Pid").asLong(0);
        return pid > 0 ? OptionalLong.of(pid) : OptionalLong.empty();
    }

    private JsonNode inspect() {
        try {
            DockerEngineSocket.Answer a = engine.call("GET", "/exec/" + execId + "/json", null);
            return a.status() == 200 ? a.json() : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** A stream fed by the demultiplexer: blocks until bytes or the end arrive. */
    static final class Inbox extends InputStream {
        private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
        private int offset;
        private boolean ended;
        private boolean closed;

        synchronized void add(byte[] chunk) {
            if (!closed && chunk.length > 0) {
                chunks.add(chunk);
                notifyAll();
            }
        }

        synchronized void end() {
            ended = true;
            notifyAll();
        }

        @Override
        public synchronized int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (chunks.isEmpty()) {
                if (ended || closed) {
                    return -1;
                }
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while reading a container process's output");
                }
            }
            int n = 0;
            while (n < len && !chunks.isEmpty()) {
                byte[] head = chunks.peek();
                int take = Math.min(len - n, head.length - offset);
                System.arraycopy(head, offset, b, off + n, take);
                n += take;
                offset += take;
                if (offset == head.length) {
                    chunks.poll();
                    offset = 0;
                }
            }
            return n;
        }

        @Override
        public synchronized int available() {
            int n = -offset;
            for (byte[] c : chunks) {
                n += c.length;
            }
            return Math.max(n, 0);
        }

        @Override
        public synchronized void close() {
            closed = true;
            chunks.clear();
            offset = 0;
            notifyAll();
        }
    }
}
