package org.shmconform.engine;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.shmconform.backends.linux.LibC;

/**
 * A real process in the state Qt's QSystemSemaphore (Open mode) reaches when the set its {@code semget(IPC_EXCL)} met is
 * removed, and its key file unlinked, by the set's owner before its second {@code semget(IPC_CREAT)}: on the line
 * {@code go} it makes the key file, takes its ftok value, unlinks the file (the owner's clean-up), makes a set by semget
 * alone (no SETVAL: Qt did not make it by name), writes {@code <id> <key>} to the result file (made whole, by a rename)
 * and waits on the set, whose value stays 0, for good: its lock. Arguments: the key file's path, the result file's path.
 */
public final class WaitingSemaphoreMaker {
    private WaitingSemaphoreMaker() {
    }

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        Path keyFile = OrphanSemaphoreMaker.keyFileOnGo(in, args[0]);
        if (keyFile == null) {
            return;
        }
        LibC c = LibC.INSTANCE;
        int key = c.ftok(keyFile.toString(), 'Q');
        Files.delete(keyFile);
        int id = key == -1 ? -1 : c.semget(key, 1, 0600 | LibC.IPC_CREAT);
        if (id == -1) {
            Files.writeString(Path.of(args[1]), "failed key " + key + " id " + id + " errno " + LibC.errno());
            return;
        }
        OrphanSemaphoreMaker.writeResult(Path.of(args[1]), id, key);
        OrphanSemaphoreMaker.op(id, -1); // asleep until the set is removed or the process killed
    }
}
