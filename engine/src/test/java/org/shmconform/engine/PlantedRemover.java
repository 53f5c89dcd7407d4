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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.shmconform.backends.sysv.SysVObjects;
import org.shmconform.engine.launch.SystemTools;
import org.shmconform.engine.state.PrivateDirectory;

/**
 * Removes what a test planted when the test's JVM ends without removing it: killed by SIGKILL (a CI's time limit, a
 * developer's kill of a build), no finally block runs, and what the foreign-object tests plant (1,500 System V sets or
 * segments, which no ledger records, on purpose: they stand for another program's) and the private state directory they
 * run in stayed (seen 2026-12-08, a killed verify). A child JVM in a session of its own is told of each object as it is
 * planted and as the test removes it; when its stdin ends (the test's JVM gone, or done) it removes what is still
 * planted, each only while the object of that id still has the key it was planted at; then, for each state directory
 * still there, it reaps the runs of dead harnesses in it with the harness's own reaper (their ledgers name what those runs
 * made) and removes the directory.
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

    /** A private directory the test made and runs a state directory in. */
    synchronized void directory(Path dir) {
        to.println("+dir " + dir);
    }

    synchronized void removedDirectory(Path dir) {
        to.println("-dir " + dir);
    }

    /** The remover: reads what it is told until its stdin ends, then removes what is still planted. */
    public static void main(String[] args) throws Exception {
        Map<String, Integer> objects = new LinkedHashMap<>(); // "kind id" -> key
        Set<Path> dirs = new LinkedHashSet<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                String[] f = line.split(" ", 4);
                switch (f[0]) {
                    case "+obj" -> objects.put(f[1] + " " + f[2], Integer.parseInt(f[3]));
                    case "-obj" -> objects.remove(f[1] + " " + f[2]);
                    case "+dir" -> dirs.add(Path.of(line.substring(5)));
                    case "-dir" -> dirs.remove(Path.of(line.substring(5)));
                    default -> { }
                }
            }
        }
        removeStill(objects);
        for (Path dir : dirs) {
            if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
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

    /** Removes each object still of the key it was planted at: an id names one object for its whole life. */
    static void removeStill(Map<String, Integer> planted) {
        for (SysVObjects.Obj o : SysVObjects.list()) {
            Integer key = planted.get(o.kind() + " " + o.id());
            if (key != null && key == o.key()) {
                SysVObjects.remove(o);
            }
        }
    }
}
