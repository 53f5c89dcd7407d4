package org.shmconform.scenarios;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Pointer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.shmconform.backends.linux.LibC;
import org.shmconform.backends.sysv.SysVObjects;

/**
 * Issue 16's data-loss check: foreign System V segments and semaphores (made by ipcmk in a private
 * pid namespace, so that the harness's workers, started in that namespace right after, get the very
 * pids that made them) and foreign /dev/shm files (some named like ours) are planted with content;
 * a piece of the named suite and a short fuzz run on sysv and qt there; every foreign object must
 * still be there afterwards, with its key and content.
 */
class ForeignObjectsTest {
    private static final LibC C = LibC.INSTANCE;
    private static final int PLANTED_PAIRS = 60;
    private final List<Integer> shm = new ArrayList<>();
    private final List<Integer> sem = new ArrayList<>();
    private final Map<Path, String> files = new LinkedHashMap<>();
    private Path work;

    @AfterEach
    void removePlanted() throws Exception {
        shm.forEach(id -> C.shmctl(id, LibC.IPC_RMID, null));
        sem.forEach(id -> C.semctl(id, 0, LibC.IPC_RMID));
        for (Path f : files.keySet()) {
            Files.deleteIfExists(f);
        }
        if (work != null) {
            new ProcessBuilder("rm", "-rf", "--one-file-system", work.toString()).start().waitFor();
        }
    }

    @Test
    void everyForeignObjectSurvivesTheSuiteAndTheFuzzerWithItsContent() throws Exception {
        work = Files.createTempDirectory(Path.of("target"), "foreign-").toAbsolutePath();
        Path out = work.resolve("result.txt");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String script = "for i in $(seq 1 " + PLANTED_PAIRS + "); do ipcmk -M 4096; ipcmk -S 1; done; echo planted; read go; "
                + "echo 1 > /proc/sys/kernel/ns_last_pid; exec " + java + " -XX:-UsePerfData -cp '" + System.getProperty("java.class.path")
                + "' " + ForeignObjectsRun.class.getName() + " " + out + " " + work;
        Process child = new ProcessBuilder("unshare", "--pid", "--fork", "--kill-child", "--mount-proc", "bash", "-c", script)
                .redirectError(work.resolve("child.stderr").toFile()).start();
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            Pattern id = Pattern.compile("(Shared memory|Semaphore) id: (\\d+)");
            for (String line; (line = lines.readLine()) != null && !line.equals("planted"); ) {
                Matcher m = id.matcher(line);
                if (m.find()) {
                    (m.group(1).startsWith("Shared") ? shm : sem).add(Integer.parseInt(m.group(2)));
                }
            }
            assertEquals(PLANTED_PAIRS, shm.size(), "segments planted");
            assertEquals(PLANTED_PAIRS, sem.size(), "semaphores planted");
            Set<Long> creatorPids = new HashSet<>();
            Map<String, SysVObjects.Obj> before = snapshot();
            for (int s : shm) {
                Pointer p = C.shmat(s, null, 0);
                p.setString(0, "foreign segment " + s);
                C.shmdt(p);
            }
            for (int s : sem) {
                assertEquals(0, C.semctl(s, 0, LibC.SETVAL, 1 + s % 100));
            }
            plantFiles();
            for (String line : Files.readAllLines(Path.of("/proc/sysvipc/shm")).subList(1, Files.readAllLines(Path.of("/proc/sysvipc/shm")).size())) {
                String[] f = line.trim().split("\\s+");
                if (shm.contains(Integer.parseInt(f[1]))) {
                    creatorPids.add(Long.parseLong(f[4])); // as the host sees them; the namespace's own numbers come from the child
                }
            }
            try (OutputStream go = child.getOutputStream()) {
                go.write("go\n".getBytes(StandardCharsets.UTF_8));
            }
            assertTrue(child.waitFor(20, TimeUnit.MINUTES), "the run in the pid namespace ended");
            List<String> result = Files.exists(out) ? Files.readAllLines(out) : List.of();
            assertEquals(0, child.exitValue(), "child failed: " + result + "\n" + Files.readString(work.resolve("child.stderr")));

            // Every foreign object is still there, with its key and content.
            Map<String, SysVObjects.Obj> after = snapshot();
            int shmLeft = 0;
            int semLeft = 0;
            for (int s : shm) {
                SysVObjects.Obj o = after.get("shm" + s);
                assertTrue(o != null && o.key() == before.get("shm" + s).key(), "foreign segment " + s + " removed: " + result);
                Pointer p = C.shmat(s, null, 0);
                assertEquals("foreign segment " + s, p.getString(0));
                C.shmdt(p);
                shmLeft++;
            }
            for (int s : sem) {
                assertTrue(after.containsKey("sem" + s), "foreign semaphore " + s + " removed: " + result);
                assertEquals(1 + s % 100, C.semctl(s, 0, LibC.GETVAL));
                semLeft++;
            }
            for (Map.Entry<Path, String> f : files.entrySet()) {
                assertEquals(f.getValue(), Files.readString(f.getKey()), "foreign file " + f.getKey());
            }
            System.out.printf("foreign objects before/after: %d/%d segments, %d/%d semaphores, %d/%d /dev/shm files; %s%n",
                    shm.size(), shmLeft, sem.size(), semLeft, files.size(), files.size(), result);

            // The run itself left nothing under its id, and its workers did reuse the planters' pids.
            String runId = result.get(0).split(" ")[1];
            try (var names = Files.list(Path.of("/dev/shm"))) {
                assertFalse(names.anyMatch(n -> n.getFileName().toString().contains("shmcf" + runId)), "the run's own objects are gone");
            }
            List<String> verdicts = result.stream().filter(l -> l.startsWith("verdict ")).toList();
            assertEquals(ForeignObjectsRun.SCENARIOS.size() * ForeignObjectsRun.COLUMNS.size(), verdicts.size(), result.toString());
            assertTrue(verdicts.stream().allMatch(v -> v.endsWith(" PASS")), "the run itself still works: " + verdicts);
            Set<String> workerPids = new HashSet<>(Arrays.asList(result.get(result.size() - 1).replace("workerpids ", "").split(" ")));
            Set<String> plantedInNs = plantedPidsInNamespace();
            assertTrue(workerPids.stream().anyMatch(plantedInNs::contains),
                    "no worker reused a planter's pid (workers " + workerPids + ", planters " + plantedInNs + ")");
        } finally {
            child.destroyForcibly();
        }
    }

    /** ipcmk ran as the namespace's pids 2, 3, ...: after the bash (1) and one seq subshell, two per pair. */
    private static Set<String> plantedPidsInNamespace() {
        Set<String> pids = new HashSet<>();
        for (int p = 2; p <= 2 * PLANTED_PAIRS + 4; p++) {
            pids.add(Integer.toString(p));
        }
        return pids;
    }

    private void plantFiles() throws Exception {
        String r = Long.toString(System.nanoTime(), 36);
        List<String> names = List.of("foreign-app-" + r, "qipc_sharedmemory_shmcfab" + r, "sem.qipc_systemsem_shmcf" + r,
                "qipc_sharedmemory_shmcf", "qipc_sharedmemory_a" + r);
        for (String name : names) {
            Path f = Path.of("/dev/shm", name);
            String content = "foreign file " + name;
            Files.writeString(f, content);
            files.put(f, content);
        }
    }

    private static Map<String, SysVObjects.Obj> snapshot() {
        Map<String, SysVObjects.Obj> all = new LinkedHashMap<>();
        for (SysVObjects.Obj o : SysVObjects.list()) {
            all.put(o.kind() + o.id(), o);
        }
        return all;
    }
}
