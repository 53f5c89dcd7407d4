package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.shmconform.schedule.Steps.attach;
import static org.shmconform.schedule.Steps.create;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.shmconform.backends.memfd.ClaimHolder;
import org.shmconform.backends.testsupport.PeerProcess;
import org.shmconform.checker.PropertyResult;
import org.shmconform.checker.ScheduleChecker;
import org.shmconform.checker.Verdict;
import org.shmconform.engine.env.LocalEnvironment;
import org.shmconform.history.EventType;
import org.shmconform.history.Execution;
import org.shmconform.history.HistoryEvent;
import org.shmconform.model.Property;
import org.shmconform.schedule.Schedule;
import org.shmconform.schedule.WorkerSpec;

/**
 * Another program that holds, at a name of an execution, what the memfd columns find through the processes that hold it
 * (any user may name a memfd as he likes, and bind the claim's abstract address, which /proc/net/unix shows everyone):
 * the execution's workers took its memfd for the run's, or waited in vain for its claim, and the checker, told nothing,
 * judged the history. The execution now has a problem ({@link ForeignHolders}), so no verdict stands on it.
 */
class MemfdHeldOutsideTest {
    @RegisterExtension
    static final OneRunPerClass RUN = new OneRunPerClass();

    /** Another process made and holds k's memfd, sealed as the backend seals it: A's attach reached it, B's create met it. */
    @Test
    void aMemfdOfAnExecutionsNameHeldByAnotherProgramLeavesNoVerdict() throws Exception {
        Schedule s = new Schedule("memfd-held-outside", null, List.of(WorkerSpec.local("A", "memfd"), WorkerSpec.local("B", "memfd")),
                List.of(attach("A", "k"), create("B", "k", 64)));
        String prefix = RUN.context().reserveNextExecutionPrefix();
        Path tmp = Files.createTempDirectory("memfd-held-outside");
        try (PeerProcess other = PeerProcess.start("memfd", tmp)) {
            assertEquals("OK", other.send("open " + prefix + "k"));
            assertEquals("OK", other.send("create 64"));
            Execution x = run(s, prefix);
            assertEquals("ok", answer(x, "A", "attach").type().name(), "A's attach reached the other program's memfd");
            assertEquals("AlreadyExists", answer(x, "B", "create").error(), x.history().toJsonLines());
            assertTrue(x.problems().stream().anyMatch(p -> p.startsWith(Execution.FOREIGN_OBJECT + "memfd:qipc_memfd_" + prefix + "k")
                    && p.contains("held by pid " + other.pid() + " ")), x.problems().toString());
            assertNoVerdictStands(x, "memfd");
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Another process holds the claim on k's name: B's create waits for it, in vain, and fails. */
    @Test
    void aClaimOnAnExecutionsNameHeldByAnotherProgramLeavesNoVerdict() throws Exception {
        Schedule s = new Schedule("memfd-claim-outside", null, List.of(WorkerSpec.local("B", "memfd-fd")),
                List.of(create("B", "k", 64)));
        String prefix = RUN.context().reserveNextExecutionPrefix();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process holder = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                ClaimHolder.class.getName(), prefix + "k").redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            String said = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertEquals("held " + holder.pid(), said);
            Execution x = run(s, prefix);
            assertEquals(EventType.fail, answer(x, "B", "create").type(), x.history().toJsonLines());
            assertTrue(x.problems().stream().anyMatch(p -> p.startsWith(Execution.FOREIGN_OBJECT + "the claim on memfd:qipc_memfd_"
                    + prefix + "k") && p.contains("held by pid " + holder.pid() + " ")), x.problems().toString());
            // And whoever held it: a wait bounded by a clock gave up, which no verdict may stand on.
            assertTrue(x.problems().stream().anyMatch(p -> p.startsWith(Execution.GAVE_UP_WAITING + "B's create: create: another "
                    + "process kept the claim on the name for ")), x.problems().toString());
            assertNoVerdictStands(x, "memfd-fd");
        } finally {
            holder.getOutputStream().close();
            holder.destroyForcibly().waitFor();
        }
    }

    private static Execution run(Schedule s, String prefix) throws Exception {
        ScheduleRunner runner = new ScheduleRunner(RUN.context(), Map.of(LocalEnvironment.NAME, new LocalEnvironment()),
                ScheduleRunner.Timing.defaults());
        assertEquals(null, runner.unavailableReason(s), "memfd workers cannot run here");
        Execution x = runner.run(s);
        assertEquals(prefix, x.keyPrefix(), "the run took the reserved prefix");
        return x;
    }

    private static HistoryEvent answer(Execution x, String worker, String f) {
        return x.history().events().stream().filter(e -> worker.equals(e.process()) && f.equals(e.f()) && e.type() != EventType.invoke)
                .findFirst().orElseThrow(() -> new AssertionError(worker + "'s " + f + " has no answer:\n" + x.history().toJsonLines()));
    }

    private static void assertNoVerdictStands(Execution x, String column) {
        assertTrue(x.metAnOutsideHand(), x.problems().toString());
        List<PropertyResult> verdicts = ScheduleChecker.check(x, column, Arrays.asList(Property.values()), Subjects.here()).results();
        assertTrue(verdicts.stream().allMatch(r -> r.verdict() == Verdict.UNKNOWN || r.verdict() == Verdict.NOT_AVAILABLE),
                verdicts.toString());
    }
}
