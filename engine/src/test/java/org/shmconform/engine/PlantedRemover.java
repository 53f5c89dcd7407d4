package org.shmconform.engine;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.shmconform.backends.sysv.SysVObjects;
import org.shmconform.engine.launch.SystemTools;
import org.shmconform.engine.state.PrivateDirectory;

/**
 * Removes what a test planted when the test's JVM ends without removing it: killed by SIGKILL (a CI's time limit, a
 * developer's kill of a build), no finally block runs, and what the foreign-object tests plant (1,500 System V sets or
 * segments, which no ledger records, on purpose: they stand for another program's) and the private state directory they
 * run in stayed (seen 2026-12-08, a killed verify). A child JVM in a session of its own is told of each object as it is
 * planted and as the test removes it; when its stdin ends (the test's JVM gone, or done) it removes what is still
 * planted, each only while the object of that id still has the key it was planted at and is this user's; then, for each
 * state directory still the one made (its inode, ours, 0700), it reaps the runs of dead harnesses in it with the
 * harness's own reaper (their ledgers name what those runs made) and removes the directory.
 */
final class PlantedRemover {
    private static PlantedRemover started;
    private final PrintStream to;

    private PlantedRemover(PrintStream to) {
        this.to = to;
    }

    /** The JVM's remover, started at the first use; null where it cannot start (then nothing changes for the test). */
    static synchronized PlantedRemover get() {
        if (started == null) {
            try {
                List<String> argv = new ArrayList<>();
                try {
                    argv.add(SystemTools.path("setsid")); // not in the build's process group: a kill of it spares the remover
                } catch (java.io.UncheckedIOException e) {
                    // no setsid: in the group, which a kill of the one JVM still spares
                }
                argv.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1",
                        "-cp", System.getProperty("java.class.path"), PlantedRemover.class.getName()));
                Process p = new ProcessBuilder(argv).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
                started = new PlantedRemover(new PrintStream(p.getOutputStream(), true, StandardCharsets.UTF_8));
            } catch (IOException e) {
                return null;
            }
        }
        return started;
    }

    /** A System V object ("shm" or "sem") the test made at {@code key}. */
    synchronized void planted(String kind, int id, int key) {
        to.println("+obj " + kind + " " + id + " " + key);
    }

    /** The test removed it (or is about to): the remover forgets it. */
    synchronized void removed(String kind, int id) {
        to.println("-obj " + kind + " " + id);
    }

    /** A private directory the test made and runs a state directory in: known by its inode, not its name alone. */
    synchronized void directory(Path dir) {
        try {
            to.println("+dir " + identity(dir) + " " + dir);
        } catch (IOException e) {
            // not told: the test removes it itself, as before there was a remover
        }
    }

    synchronized void removedDirectory(Path dir) {
        to.println("-dir " + dir);
    }

    /** "dev:ino" of {@code dir} itself (never through a link). */
    private static String identity(Path dir) throws IOException {
        return Files.getAttribute(dir, "unix:dev", LinkOption.NOFOLLOW_LINKS) + ":"
                + Files.getAttribute(dir, "unix:ino", LinkOption.NOFOLLOW_LINKS);
    }

    /** The remover: reads what it is told until its stdin ends, then removes what is still planted. */
    public static void main(String[] args) throws Exception {
        Map<String, Integer> objects = new LinkedHashMap<>(); // "kind id" -> key
        Map<Path, String> dirs = new LinkedHashMap<>(); // -> "dev:ino"
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                String[] f = line.split(" ", 4);
                switch (f[0]) {
                    case "+obj" -> objects.put(f[1] + " " + f[2], Integer.parseInt(f[3]));
                    case "-obj" -> objects.remove(f[1] + " " + f[2]);
                    case "+dir" -> { // "+dir dev:ino path", the path last: it may hold spaces
                        String rest = line.substring(5);
                        dirs.put(Path.of(rest.substring(rest.indexOf(' ') + 1)), rest.substring(0, rest.indexOf(' ')));
                    }
                    case "-dir" -> dirs.remove(Path.of(line.substring(5)));
                    default -> { }
                }
            }
        }
        removeStill(objects);
        for (Map.Entry<Path, String> d : dirs.entrySet()) {
            Path dir = d.getKey();
            if (isStillTheOneMade(dir, d.getValue())) {
                System.setProperty(RunContext.STATE_DIR_PROPERTY, dir.resolve("state").toString());
                try {
                    Reaper.reapDeadRuns(); // the dead test JVM's runs, by their ledgers; a live harness's are left
                } catch (RuntimeException e) {
                    // the directory is removed below all the same
                }
                PrivateDirectory.deleteTree(dir);
            }
        }
    }

    /**
     * Removes each object still of the key it was planted at and made by this user: an id names one object for its whole
     * life, and one the test removed just before it died may have been made again, at that key, by another program.
     */
    static void removeStill(Map<String, Integer> planted) {
        int me = PrivateDirectory.myUid();
        for (SysVObjects.Obj o : SysVObjects.list()) {
            Integer key = planted.get(o.kind() + " " + o.id());
            if (key != null && key == o.key() && o.cuid() == me) {
                SysVObjects.remove(o);
            }
        }
    }

    /**
     * The directory the test made, not another of the same name made since the test removed its own (in /dev/shm anyone
     * may): the same inode, ours, 0700, no link.
     */
    private static boolean isStillTheOneMade(Path dir, String identity) {
        try {
            PrivateDirectory.verify(dir, PrivateDirectory.myUid(), "rwx------");
            return identity(dir).equals(identity);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
