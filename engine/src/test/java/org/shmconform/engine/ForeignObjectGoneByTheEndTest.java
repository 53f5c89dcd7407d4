package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.shmconform.backends.QtKeys;
import org.shmconform.backends.linux.LibC;
import org.shmconform.backends.sysv.QtKeyFile;
import org.shmconform.backends.sysv.SysVObjects;

/**
 * Another program's segment at the ftok value of an execution's key file, made after the execution's first step and
 * removed by that program before the execution's end, no worker of the execution having used it: a create through the
 * file met it (AlreadyExists), and the look at the end finds nothing. Trigger: `fuzz -b qt` beside a program that keeps
 * its segments about a tenth of a second FAILed CREATE-SIZE ("create(16) of a new key returned false (AlreadyExists)")
 * at its third schedule with only the look at the end; the look at the create's answer ({@link
 * Ledger#foreignAtKeysNow}, which ScheduleAttempt makes at every AlreadyExists of a create) sees it while it is there,
 * and the look at the end no longer can.
 */
class ForeignObjectGoneByTheEndTest {
    @Test
    void aSegmentMetAtACreateAndGoneByTheEndIsSeenOnlyAtTheCreate(@TempDir Path runDir, @TempDir Path tmp) throws Exception {
        long startNanos = System.nanoTime();
        Ledger ledger = Ledger.create(runDir, System.currentTimeMillis() / 1000 - 1);
        String prefix = "shmcf" + RunContext.letters(6) + "b";
        Path keyFile = QtKeys.systemVKeyFile(tmp, prefix + "k", QtKeys.SHARED_MEMORY_PREFIX);
        Files.createFile(keyFile);
        QtKeyFile k = QtKeyFile.lstat(keyFile).orElseThrow();
        int id = LibC.INSTANCE.shmget(k.key(), 64, LibC.IPC_CREAT | LibC.IPC_EXCL | 0600);
        if (id < 0) {
            ledger.close();
            org.junit.jupiter.api.Assumptions.abort("a segment is at key " + k.key() + " already: not this test's to plant");
        }
        Set<Long> workers = Set.of(ProcessHandle.current().pid() + 1_000_000L); // none of them made it: this JVM did
        try {
            List<String> atTheCreate = ledger.foreignAtKeysNow(prefix, List.of(tmp), Set.of(), workers);
            assertEquals(1, atTheCreate.size(), "seen while it is there: " + atTheCreate);
            assertTrue(atTheCreate.get(0).contains("none of this execution's workers"), atTheCreate.get(0));
        } finally {
            SysVObjects.segments().stream().filter(s -> s.id() == id).forEach(s -> SysVObjects.remove(s.obj()));
        }
        assertEquals(List.of(), ledger.foreignAtKeysOf(prefix, true, Set.of(), workers, startNanos),
                "gone by the end, and no worker used it: only the look at the create could see it");
        assertTrue(Ledger.read(runDir).stream().anyMatch(e -> e.kind().equals("foreign") && e.field(1).equals(String.valueOf(id))),
                "written to the ledger as foreign");
        ledger.close();
    }
}
