package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reaper after each schedule asks the live ledger for its System V records instead of reading the file again:
 * both must say the same, the latest record of an id winning in each, and the file is read to its end however long.
 */
class LedgerRecordsTest {
    @Test
    void theLiveRecordsAreWhatTheFileSays(@TempDir Path runDir) throws Exception {
        Ledger ledger = Ledger.create(runDir, 1_700_000_000L);
        ledger.write("intent /nowhere/qipc_sharedmemory_x");
        ledger.write("shm 11 1234 1700000001 0");
        ledger.write("sem 11 99 1700000002 0");
        ledger.write("keyfile /nowhere/qipc_systemsem_x 2049 77 5 0");
        ledger.write("shm 11 4321 1700000003 0");
        ledger.write("shm 12");
        Map<String, Ledger.Entry> fromFile = new HashMap<>();
        List<Ledger.Entry> read = Ledger.read(runDir);
        for (Ledger.Entry e : read) {
            String id = Ledger.systemVId(e);
            if (id != null) {
                fromFile.put(id, e);
            }
        }
        assertEquals(fromFile, ledger.systemVRecords());
        assertEquals(List.of("11", "4321", "1700000003", "0"), ledger.systemVRecords().get("shm:11").fields());
        assertEquals(2, ledger.systemVRecords().size(), "a record without key, ctime and cuid proves nothing");
        assertEquals(1_700_000_000L, Ledger.startOf(read));
        ledger.close();
    }

    @Test
    void aLedgerLongerThanAnyBufferIsReadToItsEnd(@TempDir Path runDir) throws Exception {
        Ledger ledger = Ledger.create(runDir, 1_700_000_000L);
        String intent = "intent /nowhere/" + "q".repeat(200);
        for (int i = 0; i < 400_000; i++) { // about 86 MB, more than the 64 MiB the reader used to stop at
            ledger.write(intent);
        }
        ledger.write("sem 13 5 1700000001 0");
        ledger.close();
        assertEquals(true, Files.size(runDir.resolve(Ledger.FILE)) > (64L << 20));
        assertEquals("sem", Ledger.read(runDir).get(400_001).kind());
    }
}
