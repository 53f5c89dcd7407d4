package org.shmconform.fuzz.faults;

import java.nio.file.Path;
import java.time.Duration;
import org.shmconform.fuzz.FuzzCampaign;
import org.shmconform.fuzz.FuzzResult;
import org.shmconform.fuzz.Replay;
import org.shmconform.schedule.Schedule;
import org.shmconform.fuzz.ScheduleGenerator;
import org.shmconform.engine.Subjects;
import org.shmconform.worker.protocol.WorkerProtocol;

/** Manual exploration: java ... FuzzExplore backend seed count workers length [print]. */
public final class FuzzExplore {
    public static void main(String[] a) throws Exception {
        String backend = a[0];
        if (a.length > 5) {
            Schedule s = new ScheduleGenerator(backend, Subjects.here().semantics(backend), Integer.parseInt(a[3]), Integer.parseInt(a[4]))
                    .generate(Long.parseLong(a[1]));
            for (var st : s.steps()) System.out.println(WorkerProtocol.encode(st));
            return;
        }
        FuzzResult r = FuzzCampaign.run(FuzzCampaign.Options.of(backend).seed(Long.parseLong(a[1])).count(Integer.parseInt(a[2]))
                .workers(Integer.parseInt(a[3])).length(Integer.parseInt(a[4])).time(Duration.ofSeconds(600))
                .outDir(Path.of("/tmp/fuzz-explore"))
                .shrink(new org.shmconform.fuzz.Shrinker.Budget(Integer.parseInt(System.getProperty("runs", "60")),
                        Duration.ofSeconds(300), Integer.parseInt(System.getProperty("k", "3")))), System.out::println);
        System.out.println(r);
        System.out.printf("ops/s %.1f schedules/s %.2f%n", r.operationsPerSecond(), r.schedulesPerSecond());
        for (FuzzResult.Failure f : r.failures()) {
            if (f.shrunkFile() != null) Replay.print(Replay.run(f.shrunkFile(), backend, FuzzCampaign.fuzzTiming()), System.out);
        }
    }
}
