package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.shmconform.backends.host.HostIds;

/** What {@link ForeignNames} takes for another user's name of an execution in /dev/shm, and what it takes for the run's. */
class ForeignNamesTest {
    private static final int NOBODY = 65534;
    /** A prefix as a run's, new for each test (no run is made: ForeignNames reads names only), and one execution's. */
    private final String run = RunContext.KEY_PREFIX + RunContext.letters(RunContext.ID_LENGTH);
    private final String execution = run + RunContext.letters(RunContext.EXECUTION_ID_LENGTH);

    @Test
    void anotherUsersFileOrALinkIsForeignAndTheRunsUsersRegularFilesAreNot() throws Exception {
        Assumptions.assumeTrue(HostIds.uid() == 0, "needs root to make another user's file");
        Path own = ForeignNames.DEV_SHM.resolve("qipc_sharedmemory_" + execution + "own");
        Path nobodys = ForeignNames.DEV_SHM.resolve("qipc_sharedmemory_" + execution + "nobody");
        Path link = ForeignNames.DEV_SHM.resolve("sem.qipc_systemsem_" + execution + "link");
        Path hardLink = ForeignNames.DEV_SHM.resolve("qipc_sharedmemory_" + execution + "hard");
        Path someoneElses = ForeignNames.DEV_SHM.resolve("not-a-run-" + RunContext.letters(8));
        try (ForeignNames names = ForeignNames.unwatched(run, RunContext.EXECUTION_ID_LENGTH)) {
            Files.createFile(own);
            Files.createFile(nobodys);
            Files.setAttribute(nobodys, "unix:uid", NOBODY, LinkOption.NOFOLLOW_LINKS);
            Files.createSymbolicLink(link, own);
            Files.createFile(someoneElses);
            Files.createLink(hardLink, someoneElses); // root's, but a file of the run has one name
            List<String> foreign = names.at(execution, Set.of(0), true);
            assertEquals(3, foreign.size(), foreign.toString());
            assertTrue(foreign.contains(hardLink + " (a regular file with 2 names owned by uid 0), which no worker of this execution can have made"),
                    foreign.toString());
            assertTrue(foreign.contains(nobodys + " (a regular file owned by uid 65534), which no worker of this execution can have made"),
                    foreign.toString());
            assertTrue(foreign.contains(link + " (a symbolic link owned by uid 0), which no worker of this execution can have made"),
                    foreign.toString());
            List<String> withNobody = names.at(execution, Set.of(0, NOBODY), true);
            assertEquals(2, withNobody.size(), "nobody's is the run's once a worker of the execution runs as nobody: " + withNobody);
            assertEquals(List.of(), names.at(run + "zzzzzz", Set.of(0), true), "another execution's names are not this one's");
        } finally {
            Files.deleteIfExists(hardLink);
            Files.deleteIfExists(someoneElses);
            Files.deleteIfExists(link);
            Files.deleteIfExists(nobodys);
            Files.deleteIfExists(own);
        }
    }

    /**
     * glibc's sem_open makes a semaphore as {@code sem.XXXXXX}, links it at its name and unlinks the temporary one, so a
     * semaphore of the run has two names for a moment, and keeps both when its maker is killed in between: not foreign
     * (a default run beside `./mvnw -B verify` was UNKNOWN 17 times, and its fuzz 111 times, when it was).
     */
    @Test
    void aSemaphoreWhoseOtherNameIsGlibcsTemporaryOneIsTheRuns() throws Exception {
        Path temporary = ForeignNames.DEV_SHM.resolve("sem." + RunContext.letters(3) + "X9" + RunContext.letters(1).toUpperCase());
        Path semaphore = ForeignNames.DEV_SHM.resolve("sem.qipc_systemsem_" + execution + "k");
        try (ForeignNames names = ForeignNames.unwatched(run, RunContext.EXECUTION_ID_LENGTH)) {
            Files.createFile(temporary);
            Files.createLink(semaphore, temporary);
            assertEquals(List.of(), names.at(execution, Set.of(HostIds.uid()), true));
        } finally {
            Files.deleteIfExists(semaphore);
            Files.deleteIfExists(temporary);
        }
    }

    /**
     * A name another user made and that is gone by the execution's end (a root worker's sem_unlink or destroy removes it,
     * sticky bit or not) is still told: the watch lstat'ed it as it appeared.
     */
    @Test
    void aNameAnotherUserMadeAndThatIsGoneByTheEndIsStillTold() throws Exception {
        Assumptions.assumeTrue(HostIds.uid() == 0, "needs root to run a command as nobody");
        Path planted = ForeignNames.DEV_SHM.resolve("sem.qipc_systemsem_" + execution + "gone");
        try (ForeignNames names = ForeignNames.watch(run, RunContext.EXECUTION_ID_LENGTH)) {
            assertEquals(0, AttacksAsNobodyTest.asNobody("touch " + planted), "nobody could not make " + planted);
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> names.kept(execution) == 1);
            Files.delete(planted);
            List<String> foreign = names.at(execution, Set.of(0), true);
            assertEquals(List.of(planted + " (a regular file owned by uid 65534), which no worker of this execution can have made"),
                    foreign);
            assertEquals(0, names.kept(execution), "forgotten once the execution's last look is made");
        } finally {
            Files.deleteIfExists(planted);
        }
    }
}
