/**
 * Property-based fuzzing of multi-process schedules: generate, check, shrink, replay.
 *
 * <p>For a CLI:
 * <pre>
 *   // shmconform fuzz --backend X --seed N --count N --seconds S --workers N
 *   FuzzResult r = FuzzCampaign.run(FuzzCampaign.Options.of(backend).seed(n).count(n)
 *           .time(Duration.ofSeconds(s)).workers(w).outDir(dir), System.out::println);
 *   // exit 1 when r.failures() is not empty (whatever the re-runs gave) or r.unknown() is not
 *
 *   // shmconform replay FILE
 *   Trial c = Replay.run(file);            // or Replay.run(file, subjectImpl, timing)
 *   Replay.print(c, System.out);           // history lines, notes, verdicts
 *   // exit 1 when c.fails()
 * </pre>
 *
 * <p>A campaign runs the schedules of seeds seed, seed+1, ... ({@link org.shmconform.fuzz.ScheduleGenerator}),
 * checks each against the backend's declared semantics, and on the first failure re-runs it k times (its rate;
 * FLAKY when it fails only sometimes), shrinks it by re-execution ({@link org.shmconform.fuzz.Shrinker}:
 * a candidate is kept only if it fails with the same property, in one run, or for a flaky failure in at least one
 * of up to k runs) and saves {@code seed-N/original.schedule.json}, {@code original.history.jsonl},
 * {@code shrunk.schedule.json} and {@code shrunk.history.jsonl} under the output directory (laid out by
 * {@link org.shmconform.engine.ReportLayout}), each run checked and kept as a {@link org.shmconform.engine.Trial}. Every execution goes
 * through a {@link org.shmconform.engine.RunContext}: run-unique keys, leftovers reaped after each schedule.
 */
package org.shmconform.fuzz;
