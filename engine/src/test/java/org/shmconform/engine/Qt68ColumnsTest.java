package org.shmconform.engine;

import org.shmconform.engine.state.PrivateDirectory;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.shmconform.spi.Availability;

/**
 * The Qt 6.8 columns in the registry: one Subject per (backend, key mode), each naming its Qt version
 * and key mode, started by the root's launcher with a runtime directory of the run; and where the
 * root is not built, NOT-AVAILABLE-HERE with the reason and the command that builds it.
 */
class Qt68ColumnsTest {

    @Test
    void everyQt68ColumnSaysItsQtVersionAndKeyModeAndIsLaunchedInTheRoot() {
        List<String> modes = List.of("legacy-sysv", "safe-sysv", "legacy-posix", "safe-posix", "native-posix", "native-sysv");
        for (int i = 0; i < Qt68Columns.NAMES.size(); i++) {
            Subject s = Subjects.here().named(Qt68Columns.NAMES.get(i)).orElseThrow();
            assertTrue(s.mechanism().startsWith("Qt 6.8"), s.mechanism());
            assertTrue(s.mechanism().contains("key mode " + modes.get(i)), s.mechanism());
            assertEquals("qt-6.8-" + modes.get(i), s.profileName());
            Subject.LaunchedWorker start = (Subject.LaunchedWorker) s.start();
            assertEquals(modes.get(i), ((Qt68Worker) start.launch()).mode().label());
            assertEquals(Qt68Columns.availability().available(), s.availability().available(), s.availability().reason());
        }
    }

    @Test
    void aRootThatIsNotBuiltIsNotAvailableWithTheCommandThatBuildsIt() {
        assumeTrue(PrivateDirectory.myUid() == 0, "the root's check runs as root only (as non-root the reason says so)");
        Path empty = PrivateDirectory.ensure(Path.of("/run/shmconform-q68cols-" + RunContext.letters(8)), "rwx------");
        String before = System.getProperty(Qt68Root.CACHE_PROPERTY);
        System.setProperty(Qt68Root.CACHE_PROPERTY, empty.toString());
        try {
            Availability a = Qt68Columns.availability();
            assertFalse(a.available());
            assertTrue(a.reason().contains("not built"), a.reason());
            assertTrue(a.reason().contains("bash qt-worker/build-qt68-root.sh"), a.reason());
        } finally {
            if (before == null) {
                System.clearProperty(Qt68Root.CACHE_PROPERTY);
            } else {
                System.setProperty(Qt68Root.CACHE_PROPERTY, before);
            }
            PrivateDirectory.deleteTree(empty);
            Qt68Root.availability(); // located again from the real cache for the tests after this one
        }
    }

    @Test
    void aWorkerOfAnotherUserIsSwitchedByTheLauncherWithNumbers() {
        assumeTrue(PrivateDirectory.myUid() == 0, "needs a user nobody to look up as root");
        String spec = Qt68Worker.userspec("nobody");
        assertTrue(spec.matches("[0-9]+:[0-9]+"), spec);
        assertFalse(spec.startsWith("0:"), spec);
    }
}
