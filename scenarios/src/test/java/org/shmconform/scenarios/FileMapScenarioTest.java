package org.shmconform.scenarios;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.shmconform.backends.Backends;
import org.shmconform.engine.QtReferenceWorker;
import org.shmconform.engine.Subject;
import org.shmconform.engine.Subjects;
import org.shmconform.schedule.Schedule;
import org.shmconform.schedule.ScheduleValidation;
import org.shmconform.spi.NativeName;

/**
 * Seed M2's scenario names what it claims: the Qt file-map worker (a partner, not a column, so no suite runs on it)
 * creates the very file the Java mmapfile backend uses for the key, which attaches by its own key; only the mmapfile
 * column runs it. Nothing here runs a worker.
 */
class FileMapScenarioTest {
    @Test
    void theQtFileMapWorkerMeetsTheMmapfileColumnsOwnFile() throws Exception {
        Scenario meets = NamedSuite.named("qt-file-map-meets-mmapfile").orElseThrow();
        assertTrue(meets.appliesTo().test(NamedSuite.FILE_MAP_COLUMN));
        for (String other : new String[] {"posix", "sysv", "qt", "mmapfile-atomic"}) {
            assertFalse(meets.appliesTo().test(other), other);
        }
        Schedule s = meets.scheduleFor(NamedSuite.FILE_MAP_COLUMN);
        String keySpace = Backends.named(NamedSuite.FILE_MAP_COLUMN).orElseThrow().semantics().keySpace();
        // the column's worker first: a replay is judged by its first worker's declaration
        assertEquals(NamedSuite.FILE_MAP_COLUMN, s.workers().get(0).impl());
        assertEquals(QtReferenceWorker.FILE_MAP_IMPL, s.workers().get(1).impl());
        assertEquals(NativeName.of(keySpace, "k"), s.steps().get(0).key(), "Qt creates the mmapfile backend's own file");
        assertEquals("k", s.steps().stream().filter(st -> st.worker().equals("B") && "attach".equals(st.op())).findFirst()
                .orElseThrow().key(), "the non-Qt program attaches by its own key");
        ScheduleValidation.check(s, "qt-file-map-meets-mmapfile", Subjects.here().vocabulary());
    }

    @Test
    void theFileMapWorkerIsAPartnerNotAColumn() {
        Subjects here = Subjects.here();
        assertFalse(here.names().contains(QtReferenceWorker.FILE_MAP_IMPL), "no suite runs on a partner");
        assertTrue(here.partners().stream().anyMatch(p -> p.name().equals(QtReferenceWorker.FILE_MAP_IMPL)));
        Subject fileMap = here.named(QtReferenceWorker.FILE_MAP_IMPL).orElseThrow();
        assertEquals(QtReferenceWorker.FILE_MAP_IMPL, here.semantics(QtReferenceWorker.FILE_MAP_IMPL).keySpace());
        assertFalse(fileMap.declared().lastDetachDestroys(), "QFile has no last-detach rule");
        assertEquals(java.util.List.of("--key-mode=file-map"),
                ((Subject.NativeWorker) fileMap.start()).program().arguments());
        assertTrue(here.vocabulary().impls().contains(QtReferenceWorker.FILE_MAP_IMPL));
    }
}
