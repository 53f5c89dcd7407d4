package org.shmconform.engine;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.shmconform.backends.linux.LibC;

/**
 * A real process whose destructor makes and operates a System V semaphore set, as a Qt object's does when its detach
 * finds its set removed and opens the one now under its key: on the line {@code go} it makes the key file; then it
 * answers the protocol's {@code reset} and {@code exit} as a worker does, each running the destructor first, which only
 * the first time has an object to drop: it makes a set keyed {@code ftok(file, 1)}, sets it to 1 (SETVAL), locks and
 * unlocks it, and writes {@code <id> <key>} to the result file. It never removes the set. Arguments: the key file's
 * path, the result file's path.
 */
public final class SetInItsDestructorMaker {
    private static final Pattern SEQ = Pattern.compile("\"seq\":(\\d+)");

    private SetInItsDestructorMaker() {
    }

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        Path keyFile = OrphanSemaphoreMaker.keyFileOnGo(in, args[0]);
        if (keyFile == null) {
            return;
        }
        boolean dropped = false;
        for (String line; (line = in.readLine()) != null; ) {
            if (!dropped) {
                dropped = true;
                destructor(keyFile, Path.of(args[1]));
            }
            if (line.contains("\"op\":\"exit\"")) {
                return;
            }
            Matcher seq = SEQ.matcher(line);
            System.out.println("{\"seq\":" + (seq.find() ? seq.group(1) : "0") + ",\"ok\":true,\"value\":{\"objects\":0,\"pid\":"
                    + ProcessHandle.current().pid() + "},\"error\":\"NoError\",\"errorCode\":0,\"errorString\":\"\"}");
            System.out.flush();
        }
    }

    private static void destructor(Path keyFile, Path result) throws java.io.IOException {
        LibC c = LibC.INSTANCE;
        int key = c.ftok(keyFile.toString(), 1);
        int id = c.semget(key, 1, 0600 | LibC.IPC_CREAT | LibC.IPC_EXCL);
        if (key == -1 || id == -1 || c.semctl(id, 0, LibC.SETVAL, 1) != 0 || !OrphanSemaphoreMaker.op(id, -1)
                || !OrphanSemaphoreMaker.op(id, 1)) {
            Files.writeString(result, "failed key " + key + " id " + id + " errno " + LibC.errno() + "\n");
            return;
        }
        Files.writeString(result, id + " " + key + "\n");
    }
}
