package org.shmconform.engine.env;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import org.shmconform.engine.state.PrivateDirectory;

/**
 * The Docker engine's API on its unix socket, asked without the docker client: {@code docker exec} through the client
 * costs a Go program's start each time. Measured on this machine, 20 execs of {@code cat} in a row, three rounds: the
 * machine's CPU 184–193 ms and 148–154 ms of wall an exec through {@code /usr/bin/docker exec -i}, 106–111 ms and 79–84 ms
 * through this socket (the daemons' and runc's share is the same: the client's start is the difference).
 *
 * <p>Only a socket that root owns is used (lstat, no link followed at its last component): the client would trust the
 * same socket, and a socket another user made could answer anything. {@code DOCKER_HOST} naming anything but a unix
 * socket, or {@code -Dshmconform.dockerExec=cli}, leaves the client in charge ({@link #here()} is null).
 *
 * <p>Why not docker-java, which Testcontainers brings and {@link GroupContainer} uses to make the containers: a worker's
 * stdin must end when the harness closes it (a worker exits on its stdin's end, and {@code DockerEnvironmentIT} asserts
 * status 0 then), which needs the connection's write side shut after the last byte. docker-java 3.7.1's zerodep
 * transport copies an exec's stdin as a request entity on a thread of its own and never shuts the write side
 * ({@code HijackingHttpRequestExecutor}, read with javap, not run), so the process would never read its end. What is
 * written here is only that: one request per connection, and the one upgraded connection an exec's streams use.
 */
final class DockerEngineSocket {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path DEFAULT = Path.of("/var/run/docker.sock");
    private final Path socket;

    private DockerEngineSocket(Path socket) {
        this.socket = socket;
    }

    /** The engine's socket, if it is one root owns and it answers {@code /_ping}; null otherwise (the client is used). */
    static DockerEngineSocket here() {
        return Here.ENGINE;
    }

    /** Asked once, at the first {@link #here}: the JVM's class initialization is the lock. */
    private static final class Here {
        static final DockerEngineSocket ENGINE = find(System.getenv("DOCKER_HOST"), System.getProperty("shmconform.dockerExec", "api"));
    }

    static DockerEngineSocket find(String dockerHost, String mode) {
        if (!"api".equals(mode)) {
            return null;
        }
        Path path;
        if (dockerHost == null || dockerHost.isBlank()) {
            path = DEFAULT;
        } else if (dockerHost.startsWith("unix://")) {
            path = Path.of(dockerHost.substring("unix://".length()));
        } else {
            return null; // tcp or ssh: the client knows how to reach it
        }
        try {
            if (!PrivateDirectory.lstat(path).isOther() || PrivateDirectory.uidOf(path) != 0) {
                return null; // not a socket, a link, or not root's
            }
            DockerEngineSocket engine = new DockerEngineSocket(path);
            return engine.call("GET", "/_ping", null).status() == 200 ? engine : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** An answer: its status and its body, read to its end. */
    record Answer(int status, byte[] body) {
        JsonNode json() throws IOException {
            return JSON.readTree(body);
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8).strip();
        }
    }

    /** One request on a connection of its own, closed by the engine after the answer ({@code Connection: close}). */
    Answer call(String method, String path, Object body) throws IOException {
        try (SocketChannel ch = connect()) {
            send(ch, method, path, body, false);
            Head head = Head.read(ch);
            return new Answer(head.status, head.body(ch));
        }
    }

    SocketChannel connect() throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
            return ch;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    static void send(SocketChannel ch, String method, String path, Object body, boolean upgrade) throws IOException {
        byte[] content = body == null ? new byte[0] : JSON.writeValueAsBytes(body);
        String head = method + " " + path + " HTTP/1.1\r\nHost: docker\r\nContent-Type: application/json\r\nContent-Length: "
                + content.length + "\r\n" + (upgrade ? "Connection: Upgrade\r\nUpgrade: tcp\r\n" : "Connection: close\r\n") + "\r\n";
        writeFully(ch, ByteBuffer.wrap(head.getBytes(StandardCharsets.US_ASCII)));
        writeFully(ch, ByteBuffer.wrap(content));
    }

    static void writeFully(SocketChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** An answer's status line and headers, with what was read past them (the body's or the stream's first bytes). */
    static final class Head {
        final int status;
        final long contentLength;
        final boolean chunked;
        final ByteBuffer rest;

        private Head(int status, long contentLength, boolean chunked, ByteBuffer rest) {
            this.status = status;
            this.contentLength = contentLength;
            this.chunked = chunked;
            this.rest = rest;
        }

        static Head read(SocketChannel ch) throws IOException {
            ByteArrayOutputStream seen = new ByteArrayOutputStream();
            ByteBuffer b = ByteBuffer.allocate(4096);
            while (true) {
                if (ch.read(b) < 0) {
                    throw new IOException("the docker engine closed the connection before its answer's headers ended");
                }
                b.flip();
                byte[] chunk = new byte[b.remaining()];
                b.get(chunk);
                b.clear();
                seen.write(chunk);
                byte[] all = seen.toByteArray();
                int end = indexOf(all, new byte[] {'\r', '\n', '\r', '\n'});
                if (end >= 0) {
                    return parse(new String(all, 0, end, StandardCharsets.ISO_8859_1),
                            ByteBuffer.wrap(all, end + 4, all.length - end - 4).slice());
                }
                if (all.length > 65536) {
                    throw new IOException("the docker engine's answer has no end of headers in 64 KiB");
                }
            }
        }

        private static Head parse(String head, ByteBuffer rest) throws IOException {
            String[] lines = head.split("\r\n");
            String[] status = lines[0].split(" ", 3);
            if (status.length < 2 || !status[0].startsWith("HTTP/1.")) {
                throw new IOException("the docker engine answered no HTTP status line: " + lines[0]);
            }
            long length = -1;
            boolean chunked = false;
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon < 0) {
                    continue;
                }
                String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = lines[i].substring(colon + 1).trim();
                if (name.equals("content-length")) {
                    length = Long.parseLong(value);
                } else if (name.equals("transfer-encoding") && value.toLowerCase(Locale.ROOT).contains("chunked")) {
                    chunked = true;
                }
            }
            return new Head(Integer.parseInt(status[1]), length, chunked, rest);
        }

        /** The body: by its length, its chunks, or to the end of the connection. */
        byte[] body(SocketChannel ch) throws IOException {
            ByteArrayOutputStream raw = new ByteArrayOutputStream();
            raw.write(rest.array(), rest.arrayOffset() + rest.position(), rest.remaining());
            ByteBuffer b = ByteBuffer.allocate(8192);
            while (contentLength < 0 || raw.size() < contentLength) {
                if (ch.read(b) < 0) {
                    break;
                }
                b.flip();
                raw.write(b.array(), 0, b.limit());
                b.clear();
            }
            byte[] bytes = raw.toByteArray();
            if (chunked) {
                return dechunk(bytes);
            }
            if (contentLength >= 0 && bytes.length < contentLength) {
                throw new IOException("the docker engine's answer ended after " + bytes.length + " of " + contentLength + " bytes");
            }
            return contentLength < 0 ? bytes : java.util.Arrays.copyOf(bytes, (int) contentLength);
        }
    }

    /** A chunked body's content (RFC 9112 7.1; no trailers are asked for). */
    static byte[] dechunk(byte[] raw) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (true) {
            int eol = indexOf(raw, i, new byte[] {'\r', '\n'});
            if (eol < 0) {
                throw new IOException("a chunked answer ended inside a chunk's size line");
            }
            String size = new String(raw, i, eol - i, StandardCharsets.US_ASCII);
            int semicolon = size.indexOf(';');
            int n = Integer.parseInt((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
            if (n == 0) {
                return out.toByteArray();
            }
            if (eol + 2 + n > raw.length) {
                throw new IOException("a chunked answer ended inside a chunk");
            }
            out.write(raw, eol + 2, n);
            i = eol + 2 + n + 2;
        }
    }

    private static int indexOf(byte[] a, byte[] needle) {
        return indexOf(a, 0, needle);
    }

    private static int indexOf(byte[] a, int from, byte[] needle) {
        outer:
        for (int i = from; i + needle.length <= a.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (a[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
