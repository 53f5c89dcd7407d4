package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.shmconform.backends.sysv.SysVObjects;
import org.shmconform.engine.state.PrivateDirectory;

/**
 * A test JVM killed by SIGKILL runs no finally block: what it planted as another program's (System V sets no ledger
 * records) and its private state directory stayed until someone removed them by hand (a killed verify, 2026-12-08). Its
 * {@link PlantedRemover} now removes them once the JVM is gone, and nothing else.
 */
class PlantedRemoverTest {

    @Test
    void whatAKilledTestJvmPlantedIsRemovedAfterItsDeath() throws Exception {
        Path dir = Path.of("/dev/shm/shmconform-test-" + RunContext.letters(8));
        // Keys no other program uses (a run's keys are ftok values of its key files; these are of no file).
        int base = 0x5e000000 | (int) (ProcessHandle.current().pid() & 0xffff) << 4;
        keys = Set.of(base + 1, base + 2);
        Process planter = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), PlantsAndWaits.class.getName(), dir.toString(), Integer.toString(base + 1),
                Integer.toString(base + 2)).redirectErrorStream(true).start();
        Set<Integer> ids = Set.of();
        try {
            String line = new BufferedReader(new InputStreamReader(planter.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertNotNull(line, "the planter said what it planted");
            ids = Arrays.stream(line.split(" ")).map(Integer::parseInt).collect(Collectors.toSet());
            assertEquals(2, planted(ids).size(), "both sets are there while the planter lives");
            assertTrue(Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS));

            planter.destroyForcibly(); // SIGKILL: no finally, no shutdown hook
            assertEquals(137, planter.waitFor());
            Set<Integer> mine = ids;
            org.awaitility.Awaitility.await("the remover's work after the planter's death").atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> planted(mine).isEmpty() && !Files.exists(dir, LinkOption.NOFOLLOW_LINKS));
        } finally {
            planter.destroyForcibly().waitFor();
            Set<Integer> left = ids;
            planted(left).forEach(SysVObjects::remove);
            if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                PrivateDirectory.deleteTree(dir);
            }
        }
    }

    /** The test's sets among {@code ids}: by id and by the keys it planted at (an id freed may be another's set next). */
    private Set<Integer> keys = Set.of();

    private List<SysVObjects.Obj> planted(Set<Integer> ids) {
        return SysVObjects.list().stream().filter(o -> o.kind().equals("sem") && ids.contains(o.id()) && keys.contains(o.key()))
                .toList();
    }
}
