package org.shmconform.engine;

import com.sun.jna.Pointer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.shmconform.backends.linux.LibC;

/**
 * A real process that does to a System V segment what Qt 6.8 does with a platform-safe key, then leaves it: on the
 * line {@code go} it makes the key file, keys a new segment by ftok(file, 'Q'), attaches it (unless its third argument
 * is {@code unattached}: a create that dies before its attach), unlinks the key file (as Qt does) and writes
 * {@code <id> <key>} to the result file (made whole, by a rename); then it waits for its stdin to end and exits without
 * removing the segment (a kill detaches it). Arguments: the key file's path, the result file's path, the mode.
 */
public final class OrphanSegmentMaker {
    private OrphanSegmentMaker() {
    }

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        if (!"go".equals(in.readLine())) {
            return;
        }
        Path keyFile = Path.of(args[0]);
        boolean attach = !"unattached".equals(args[2]);
        Files.createFile(keyFile);
        LibC c = LibC.INSTANCE;
        int key = c.ftok(keyFile.toString(), 'Q');
        int id = key == -1 ? -1 : c.shmget(key, 4096, 0600 | LibC.IPC_CREAT | LibC.IPC_EXCL);
        Pointer at = attach && id != -1 ? c.shmat(id, null, 0) : null;
        if (key == -1 || id == -1 || (attach && Pointer.nativeValue(at) == -1)) {
            String why = "failed key " + key + " id " + id + " errno " + LibC.errno();
            if (id != -1) {
                c.shmctl(id, LibC.IPC_RMID, null); // its own, made just now: nothing of a failed attempt stays
            }
            Files.deleteIfExists(keyFile);
            Files.writeString(Path.of(args[1]), why);
            return;
        }
        Files.delete(keyFile);
        OrphanSemaphoreMaker.writeResult(Path.of(args[1]), id, key);
        while (in.readLine() != null) {
            // held (attached, if so made) until the test ends it
        }
    }
}
