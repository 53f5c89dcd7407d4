package org.shmconform.engine;

import java.nio.file.Path;
import org.shmconform.backends.linux.LibC;
import org.shmconform.engine.state.PrivateDirectory;

/**
 * A test JVM's stand-in for {@link PlantedRemoverTest}: plants two System V sets (as another program's, at keys of its
 * own) and a private directory, tells its {@link PlantedRemover}, prints them, and waits to be killed.
 */
public final class PlantsAndWaits {
    private PlantsAndWaits() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        PrivateDirectory.createFresh(dir, "rwx------");
        PrivateDirectory.createFresh(dir.resolve("state"), "rwx------");
        PlantedRemover remover = PlantedRemover.get();
        remover.directory(dir);
        StringBuilder ids = new StringBuilder();
        for (int i = 1; i <= 2; i++) {
            int key = Integer.parseInt(args[i]);
            int id = LibC.INSTANCE.semget(key, 1, 0600 | LibC.IPC_CREAT | LibC.IPC_EXCL);
            if (id < 0) {
                throw new IllegalStateException("semget " + key + ": errno " + LibC.errno());
            }
            remover.planted("sem", id, key);
            ids.append(id).append(' ');
        }
        System.out.println(ids.toString().strip());
        System.out.flush();
        Thread.sleep(600_000);
    }
}
