package org.shmconform.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.shmconform.spi.BackendSemantics;

/** Each bad schedule file is refused before anything runs, with one line that says where and what. */
class ScheduleValidationTest {
    private static final String WORKERS = "\"workers\":[{\"id\":\"A\",\"impl\":\"sysv\",\"env\":\"local\",\"group\":\"g\"},"
            + "{\"id\":\"B\",\"impl\":\"sysv\",\"env\":\"local\",\"group\":\"g\"}]";

    private static final ScheduleValidation.Vocabulary KNOWN = new ScheduleValidation.Vocabulary(
            Set.of("sysv", "posix", "qt"), Set.of("local", "ipcns"));

    private static String schedule(String steps) {
        return "{\"name\":\"t\"," + WORKERS + ",\"steps\":[" + steps + "]}";
    }

    private static String refused(String json) {
        ScheduleValidation.InvalidSchedule e = assertThrows(ScheduleValidation.InvalidSchedule.class,
                () -> ScheduleValidation.parse(json, "f.json", KNOWN));
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        assertFalse(e.getMessage().matches(".*(Exception|com\\.fasterxml|\\[Source:).*"), "no raw exception: " + e.getMessage());
        assertTrue(e.getMessage().startsWith("f.json: "), e.getMessage());
        return e.getMessage();
    }

    @Test
    void aGoodScheduleLoads() throws Exception {
        Schedule s = ScheduleValidation.parse(schedule("{\"worker\":\"A\",\"op\":\"create\",\"key\":\"k\",\"size\":64,\"mode\":\"ReadWrite\"},"
                + "{\"worker\":\"B\",\"op\":\"lock\",\"noWait\":true},{\"worker\":\"A\",\"op\":\"create\",\"key\":\"k\",\"size\":-5},"
                + "{\"worker\":\"B\",\"op\":\"read\",\"offset\":0,\"length\":4},{\"worker\":\"A\",\"op\":\"kill\"}"), "f.json", KNOWN);
        assertEquals(5, s.steps().size());
        Schedule handOver = ScheduleValidation.parse(schedule("{\"worker\":\"A\",\"op\":\"serveFd\",\"path\":\"h\",\"peer\":\"nobody\"},"
                + "{\"worker\":\"B\",\"op\":\"attachFd\",\"key\":\"k\",\"path\":\"h\",\"mode\":\"ReadWrite\"}"), "f.json", KNOWN);
        assertEquals(List.of(Steps.serveFd("A", "h", "nobody"), Steps.attachFd("B", "k", "h")), handOver.steps());
        Schedule inherited = ScheduleValidation.parse(schedule("{\"worker\":\"A\",\"op\":\"spawnChild\",\"child\":\"B\"},"
                + "{\"worker\":\"B\",\"op\":\"read\",\"offset\":0,\"length\":4}"), "f.json", KNOWN);
        assertEquals(Steps.spawnChild("A", "B"), inherited.steps().get(0));
        assertEquals(java.util.Map.of("B", "A"), ScheduleValidation.parents(inherited));
    }

    private static final String A_AND_A2 = "{\"id\":\"A\",\"impl\":\"sysv\",\"env\":\"local\",\"group\":\"g\"},"
            + "{\"id\":\"A2\",\"impl\":\"sysv\",\"env\":\"local\",\"group\":\"g\",\"process\":\"A\"},"
            + "{\"id\":\"B\",\"impl\":\"sysv\",\"env\":\"local\",\"group\":\"g\"}";

    private static String withObjects(String workers, String steps) {
        return "{\"name\":\"t\",\"workers\":[" + workers + "],\"steps\":[" + steps + "]}";
    }

    /** A second object in A's process ("process":"A") is a worker steps name like any other, written back as it was read. */
    @Test
    void aSecondObjectOfAProcessLoadsAndSavesAsItWasWritten(@TempDir Path dir) throws Exception {
        Schedule s = ScheduleValidation.parse(withObjects(A_AND_A2, "{\"worker\":\"A\",\"op\":\"lock\"},"
                + "{\"worker\":\"A2\",\"op\":\"lock\",\"noWait\":true},{\"worker\":\"B\",\"op\":\"lock\",\"noWait\":true},"
                + "{\"worker\":\"A2\",\"op\":\"kill\"}"), "f.json", KNOWN);
        assertEquals(WorkerSpec.objectOf(WorkerSpec.local("A", "sysv"), "A2"), s.workers().get(1));
        assertEquals("A", s.workers().get(1).processId());
        assertEquals("B", s.workers().get(2).processId());
        Path file = dir.resolve("s.json");
        s.save(file);
        assertEquals(s, Schedule.load(file, KNOWN));
        assertFalse(Files.readString(file).contains("\"process\" : null"), "a worker of its own process is written as before");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "undeclared host | {\"id\":\"A2\",\"impl\":\"sysv\",\"env\":\"local\",\"group\":\"g\",\"process\":\"Z\"} | its process Z is not declared before it",
        "own process | {\"id\":\"A2\",\"impl\":\"sysv\",\"env\":\"local\",\"group\":\"g\",\"process\":\"A2\"} | cannot be a second object of its own process",
        "other column | {\"id\":\"A\",\"impl\":\"sysv\",\"env\":\"local\",\"group\":\"g\"},{\"id\":\"A2\",\"impl\":\"posix\",\"env\":\"local\",\"group\":\"g\",\"process\":\"A\"} | it must be declared with A's impl, env, group, user and tmpdir",
        "other user | {\"id\":\"A\",\"impl\":\"sysv\",\"env\":\"local\",\"group\":\"g\"},{\"id\":\"A2\",\"impl\":\"sysv\",\"env\":\"local\",\"group\":\"g\",\"user\":\"nobody\",\"process\":\"A\"} | it must be declared with A's impl",
        "two levels | {\"id\":\"A\",\"impl\":\"sysv\",\"env\":\"local\",\"group\":\"g\"},{\"id\":\"A2\",\"impl\":\"sysv\",\"env\":\"local\",\"group\":\"g\",\"process\":\"A\"},{\"id\":\"A3\",\"impl\":\"sysv\",\"env\":\"local\",\"group\":\"g\",\"process\":\"A2\"} | A2 is itself an object in A's process (one level only: name A)",
    })
    void aBadSecondObjectIsRefused(String what, String workers, String expected) {
        String json = withObjects(workers.startsWith("{\"id\":\"A\"") ? workers : "{\"id\":\"A\",\"impl\":\"sysv\",\"env\":\"local\",\"group\":\"g\"}," + workers,
                "{\"worker\":\"A\",\"op\":\"lock\"}");
        assertTrue(refused(json).contains(expected), refused(json));
    }

    @Test
    void aProcessHoldsAtMostFourObjects() {
        StringBuilder workers = new StringBuilder("{\"id\":\"A\",\"impl\":\"sysv\",\"env\":\"local\",\"group\":\"g\"}");
        for (int n = 2; n <= 5; n++) {
            workers.append(",{\"id\":\"A").append(n).append("\",\"impl\":\"sysv\",\"env\":\"local\",\"group\":\"g\",\"process\":\"A\"}");
        }
        assertTrue(refused(withObjects(workers.toString(), "{\"worker\":\"A5\",\"op\":\"lock\"}"))
                .contains("workers[4] (A5, an object in A's process): A's process would hold more than 4 objects"));
    }

    /**
     * A worker process does one op at a time: while A's noWait lock may be in flight (blocked: A2 could be what holds the
     * lock) a step of A2 could only wait behind it, so the schedule is refused; a kill of either, or A's own next step
     * (the engine waits for A's op first, as for any worker), is fine, and so is any step of another process.
     */
    @Test
    void aStepToAProcessBusyWithAnotherObjectsNoWaitOpIsRefused() throws Exception {
        String busy = refused(withObjects(A_AND_A2, "{\"worker\":\"A2\",\"op\":\"lock\"},{\"worker\":\"A\",\"op\":\"lock\",\"noWait\":true},"
                + "{\"worker\":\"B\",\"op\":\"size\"},{\"worker\":\"A2\",\"op\":\"unlock\"}"));
        assertTrue(busy.contains("steps[3] (A2 unlock): A's process may still be busy with steps[1] (A lock, noWait)"), busy);
        for (String fine : List.of(
                "{\"worker\":\"A2\",\"op\":\"lock\"},{\"worker\":\"A\",\"op\":\"lock\",\"noWait\":true},{\"worker\":\"A2\",\"op\":\"kill\"}",
                "{\"worker\":\"A2\",\"op\":\"lock\"},{\"worker\":\"A\",\"op\":\"lock\",\"noWait\":true},{\"worker\":\"A\",\"op\":\"kill\"}",
                "{\"worker\":\"A\",\"op\":\"lock\",\"noWait\":true},{\"worker\":\"A\",\"op\":\"unlock\"},{\"worker\":\"A2\",\"op\":\"lock\"}",
                "{\"worker\":\"A\",\"op\":\"lock\"},{\"worker\":\"A2\",\"op\":\"lock\"},{\"worker\":\"A\",\"op\":\"kill\"}")) {
            assertEquals(List.of(), ScheduleValidation.problems(ScheduleValidation.parse(withObjects(A_AND_A2, "{\"worker\":\"B\",\"op\":\"size\"}"),
                    "f.json", KNOWN).withSteps(stepsOf(fine)), Set.of("sysv"), Set.of("local")), fine);
        }
        assertTrue(refused(withObjects(A_AND_A2, "{\"worker\":\"A2\",\"op\":\"spawnChild\",\"child\":\"B\"}"))
                .contains("A2 is a second object in A's process and spawns no child"));
    }

    private static List<Step> stepsOf(String steps) throws Exception {
        return ScheduleValidation.parse(withObjects(A_AND_A2, steps), "f.json", KNOWN).steps();
    }

    @Test
    void aChildIsDeclaredWhereItsParentRuns() {
        String json = "{\"name\":\"t\",\"workers\":[{\"id\":\"A\",\"impl\":\"sysv\",\"env\":\"local\",\"group\":\"g\"},"
                + "{\"id\":\"B\",\"impl\":\"sysv\",\"env\":\"local\",\"group\":\"g\",\"user\":\"nobody\"}],"
                + "\"steps\":[{\"worker\":\"A\",\"op\":\"spawnChild\",\"child\":\"B\"}]}";
        assertTrue(refused(json).contains("child B must be declared with its parent's impl, env, group, user and tmpdir"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "unknown operation | {\"worker\":\"A\",\"op\":\"explode\"} | steps[0] (A explode): unknown operation 'explode'",
        "undeclared worker | {\"worker\":\"C\",\"op\":\"lock\"} | steps[0] (C lock): worker C is not declared",
        "bad mode | {\"worker\":\"A\",\"op\":\"attach\",\"key\":\"k\",\"mode\":\"WriteOnly\"} | bad mode 'WriteOnly'; only ReadWrite or ReadOnly",
        "missing argument | {\"worker\":\"A\",\"op\":\"read\",\"offset\":0} | steps[0] (A read): read needs length",
        "argument the op does not take | {\"worker\":\"A\",\"op\":\"lock\",\"size\":3} | steps[0] (A lock): lock takes no size",
        "negative offset | {\"worker\":\"A\",\"op\":\"write\",\"offset\":-1,\"data\":\"x\"} | offset -1 out of range [0, 1099511627776]",
        "huge size | {\"worker\":\"A\",\"op\":\"create\",\"key\":\"k\",\"size\":2000000000000} | size 2000000000000 out of range",
        "read too long | {\"worker\":\"A\",\"op\":\"read\",\"offset\":0,\"length\":2000000} | length 2000000 out of range [0, 1048576]",
        "negative truncate | {\"worker\":\"A\",\"op\":\"truncate\",\"length\":-3} | length -3 out of range",
        "sleep too long | {\"worker\":\"A\",\"op\":\"sleep\",\"ms\":3600000} | ms 3600000 out of range",
        "unknown step field | {\"worker\":\"A\",\"op\":\"lock\",\"colour\":\"red\"} | unknown field 'colour' at steps[0]",
        "hand-over path is a name | {\"worker\":\"A\",\"op\":\"serveFd\",\"path\":\"/etc/x\"} | bad path '/etc/x' (a socket name",
        "serveFd needs a path | {\"worker\":\"A\",\"op\":\"serveFd\",\"peer\":\"nobody\"} | steps[0] (A serveFd): serveFd needs path",
        "attachFd needs a key | {\"worker\":\"A\",\"op\":\"attachFd\",\"path\":\"h\"} | steps[0] (A attachFd): attachFd needs key",
        "peer only on serveFd | {\"worker\":\"A\",\"op\":\"attachFd\",\"key\":\"k\",\"path\":\"h\",\"peer\":\"nobody\"} | attachFd takes no peer",
        "bad peer | {\"worker\":\"A\",\"op\":\"serveFd\",\"path\":\"h\",\"peer\":\"No Body\"} | bad peer user name 'No Body'",
        "wrong type | {\"worker\":\"A\",\"op\":\"create\",\"key\":\"k\",\"size\":\"big\"} | bad value 'big' at steps[0].size",
        "spawnChild needs a child | {\"worker\":\"A\",\"op\":\"spawnChild\"} | steps[0] (A spawnChild): spawnChild needs child",
        "undeclared child | {\"worker\":\"A\",\"op\":\"spawnChild\",\"child\":\"Z\"} | child Z is not declared",
        "self spawn | {\"worker\":\"A\",\"op\":\"spawnChild\",\"child\":\"A\"} | a worker cannot spawn itself",
        "child acts first | {\"worker\":\"B\",\"op\":\"lock\"},{\"worker\":\"A\",\"op\":\"spawnChild\",\"child\":\"B\"} | steps[0] (B lock): B acts before steps[1] spawns it",
        "spawned twice | {\"worker\":\"A\",\"op\":\"spawnChild\",\"child\":\"B\"},{\"worker\":\"A\",\"op\":\"spawnChild\",\"child\":\"B\"} | B is already spawned by steps[0]",
        "async spawn | {\"worker\":\"A\",\"op\":\"spawnChild\",\"child\":\"B\",\"noWait\":true} | spawnChild cannot be noWait",
        "a worker's own end | {\"worker\":\"A\",\"op\":\"exit\"} | steps[0] (A exit): exit is not a step a schedule can take (the model does not judge a worker's own end",
    })
    void aBadStepIsRefused(String what, String step, String expected) {
        String message = refused(schedule(step));
        assertTrue(message.contains(expected), what + ": " + message);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "duplicate worker | {\"name\":\"t\",\"workers\":[{\"id\":\"A\",\"impl\":\"sysv\",\"env\":\"local\",\"group\":\"g\"},{\"id\":\"A\",\"impl\":\"posix\",\"env\":\"local\",\"group\":\"g\"}],\"steps\":[]} | workers[1]: duplicate worker A",
        "unknown impl | {\"name\":\"t\",\"workers\":[{\"id\":\"A\",\"impl\":\"nosuch\",\"env\":\"local\",\"group\":\"g\"}],\"steps\":[]} | workers[0]: unknown implementation 'nosuch'; known: ",
        "unknown env | {\"name\":\"t\",\"workers\":[{\"id\":\"A\",\"impl\":\"sysv\",\"env\":\"moon\",\"group\":\"g\"}],\"steps\":[]} | workers[0]: unknown environment 'moon'",
        "path as tmpdir | {\"name\":\"t\",\"workers\":[{\"id\":\"A\",\"impl\":\"sysv\",\"env\":\"local\",\"group\":\"g\",\"tmpdir\":\"../../etc\"}],\"steps\":[]} | bad tmpdir '../../etc'",
        "nemesis | {\"name\":\"t\",\"workers\":[{\"id\":\"nemesis\",\"impl\":\"sysv\",\"env\":\"local\",\"group\":\"g\"}],\"steps\":[]} | bad worker id 'nemesis'",
        "unknown worker field | {\"name\":\"t\",\"workers\":[{\"id\":\"A\",\"impl\":\"sysv\",\"env\":\"local\",\"group\":\"g\",\"pid\":1}],\"steps\":[]} | unknown field 'pid' at workers[0]",
        "unknown top field | {\"name\":\"t\",\"workers\":[],\"steps\":[],\"extra\":1} | unknown field 'extra'",
        "no workers | {\"name\":\"t\",\"workers\":[],\"steps\":[]} | declares no \"workers\"",
        "not json | {\"name\": | not JSON",
        "a list | [1,2] | wrong type",
    })
    void aBadScheduleIsRefused(String what, String json, String expected) {
        String message = refused(json);
        assertTrue(message.contains(expected), what + ": " + message);
    }

    @Test
    void tooManyWorkersAndTheRestCounted() {
        StringBuilder w = new StringBuilder();
        for (int i = 0; i <= ScheduleValidation.MAX_WORKERS; i++) {
            w.append(i == 0 ? "" : ",").append("{\"id\":\"W").append(i).append("\",\"impl\":\"sysv\",\"env\":\"local\",\"group\":\"g\"}");
        }
        String message = refused("{\"name\":\"t\",\"workers\":[" + w + "],\"steps\":[{\"worker\":\"X\",\"op\":\"lock\"}]}");
        assertTrue(message.contains("65 workers; at most 64 (and 1 more)"), message);
    }

    @Test
    void loadIsStrictToo(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("s.json");
        Files.writeString(f, schedule("{\"worker\":\"A\",\"op\":\"lock\",\"mode\":\"ReadWrite\"}"));
        ScheduleValidation.InvalidSchedule e = assertThrows(ScheduleValidation.InvalidSchedule.class, () -> Schedule.load(f, KNOWN));
        assertEquals(f + ": steps[0] (A lock): lock takes no mode", e.getMessage());
    }
}
