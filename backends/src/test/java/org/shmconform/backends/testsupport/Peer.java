package org.shmconform.backends.testsupport;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.shmconform.spi.AccessMode;
import org.shmconform.backends.Backends;
import org.shmconform.spi.SharedMemoryBackend;
import org.shmconform.spi.SharedSegment;

/**
 * The second real process of a backend test: exec'd by {@link PeerProcess} (never forked), it
 * drives segment objects of one backend from commands on stdin, one reply line per command on stdout:
 * {@code OK [value]} or {@code FAIL <QtError> <message>}. Every command goes to the current object; {@code use N}
 * (0-3, 0 at the start) makes object N current, so one process (one thread) can hold a second object of a key, as
 * the engine's "obj" does.
 *
 * <pre>
 * open KEY | create SIZE [ro] | attach ro|rw | detach | lock | unlock | size | error | use N
 * write OFFSET TEXT | read OFFSET LENGTH | rawwrite OFFSET TEXT | truncate LENGTH | close | exit
 * </pre>
 */
public final class Peer {
    public static void main(String[] args) throws Exception {
        SharedMemoryBackend backend = Backends.named(args[0])
                .orElseThrow(() -> new IllegalArgumentException("no backend " + args[0]));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        SharedSegment[] objects = new SharedSegment[4];
        int current = 0;
        SharedSegment segment = null;
        System.out.println("OK ready " + ProcessHandle.current().pid());
        String line;
        while ((line = in.readLine()) != null) {
            String[] w = line.split(" ", 3);
            String reply;
            switch (w[0]) {
                case "use" -> {
                    objects[current] = segment;
                    current = Integer.parseInt(w[1]);
                    segment = objects[current];
                    reply = "OK";
                }
                case "open" -> {
                    if (segment != null) {
                        segment.close();
                    }
                    segment = backend.open(w[1]);
                    reply = "OK";
                }
                case "create" -> reply = result(segment, segment.create(Long.parseLong(w[1]),
                        w.length > 2 && w[2].equals("ro") ? AccessMode.ReadOnly : AccessMode.ReadWrite));
                case "attach" -> reply = result(segment, segment.attach(
                        w[1].equals("ro") ? AccessMode.ReadOnly : AccessMode.ReadWrite));
                case "detach" -> reply = result(segment, segment.detach());
                case "lock" -> reply = result(segment, segment.lock());
                case "unlock" -> reply = result(segment, segment.unlock());
                case "size" -> reply = "OK " + segment.size();
                case "error" -> reply = "OK " + segment.error() + " " + segment.errorString();
                case "write" -> reply = result(segment,
                        segment.write(Long.parseLong(w[1]), w[2].getBytes(StandardCharsets.UTF_8)));
                case "read" -> {
                    byte[] data = segment.read(Long.parseLong(w[1]), Integer.parseInt(w[2]));
                    reply = data == null ? result(segment, false) : "OK " + new String(data, StandardCharsets.UTF_8);
                }
                case "rawwrite" -> {
                    segment.rawWrite(Long.parseLong(w[1]), w[2].getBytes(StandardCharsets.UTF_8));
                    reply = "OK";
                }
                case "truncate" -> reply = result(segment, segment.truncateBacking(Long.parseLong(w[1])));
                case "close" -> {
                    segment.close();
                    segment = null;
                    reply = "OK";
                }
                case "exit" -> {
                    objects[current] = segment;
                    for (SharedSegment object : objects) {
                        if (object != null) {
                            object.close();
                        }
                    }
                    System.out.println("OK");
                    return;
                }
                default -> reply = "FAIL UnknownError unknown command " + w[0];
            }
            System.out.println(reply);
        }
    }

    private static String result(SharedSegment segment, boolean ok) {
        return ok ? "OK" : "FAIL " + segment.error() + " " + segment.errorString();
    }
}
