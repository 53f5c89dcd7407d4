package org.shmconform.conformance;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.shmconform.engine.RunContext;
import org.shmconform.engine.env.DockerEnvironment;
import org.shmconform.engine.env.Environment;
import org.shmconform.engine.env.Environments;
import org.shmconform.scenarios.SuiteRunner;

/**
 * The named suite's scenario runs in environments with an IPC namespace of their own (ipcns, ipcns+shm, docker-private,
 * docker-shareable) and in docker-host, on a thread beside the rest of the suite, in a {@link RunContext} of their own
 * with environments of their own. Those jobs because a schedule whose workers share the host's IPC namespace takes the
 * machine-wide key-file turn when its column's lock is a System V set ({@code KeyFileTurns}), so two lanes of such
 * schedules would only wait for each other, while a worker in a namespace of its own waits for nobody; docker-host too,
 * although in the host's namespace, since of its columns only sysv takes that turn (the Qt workers do not run in its
 * image), and without it this lane ended some 30 s before the other (measured on 2026-12-05: about 65 s of scenario time
 * against 94, the other lane's end run on one core). The cross-environment jobs use workers in several of the run's
 * environments at once and stay with the run's own. A context of its own because the reaper after a schedule removes the
 * System V objects its run's ledger recorded ({@code ScheduleRunner.mayRunSideBySide}), as each fuzz line's campaign
 * has one ({@link FuzzLines}).
 */
final class SuiteSideLane implements AutoCloseable {

    /** What the lane needs of its run: a suite on a context and environments, and how its context ends. */
    interface Run {
        /** The environments named, made for this context (labelled with its run id). */
        Map<String, Environment> environments(List<String> names, RunContext context);

        /** A suite that tells the run's progress. */
        SuiteRunner suite(RunContext context, Map<String, Environment> environments);

        /** Closes the environments, removes the context's containers, keeps its logs and reaps it; says what was reaped. */
        List<String> end(RunContext context, Map<String, Environment> environments);
    }

    private final List<SuiteRunner.Job> jobs;
    private final List<Integer> indices;
    private final Run run;
    private final Set<RunContext> open;
    private final Thread thread;
    private final Map<String, Map<String, String>> described = new LinkedHashMap<>();
    private final List<String> reaped = new ArrayList<>();
    private volatile boolean abandoned;
    private Throwable threw;

    private SuiteSideLane(List<SuiteRunner.Job> jobs, List<Integer> indices, Run run, Set<RunContext> open) {
        this.jobs = jobs;
        this.indices = List.copyOf(indices);
        this.run = run;
        this.open = open;
        this.thread = new Thread(this::lane, "shmconform-suite-side-lane");
    }

    /** Whether a job in this environment runs in the side lane. */
    static boolean takes(String env) {
        return !env.equals(SuiteRunner.CROSS)
                && (!Environments.sharesTheHostsIpcNamespace(env) || env.equals(DockerEnvironment.Mode.HOST.environmentName));
    }

    /**
     * Starts the lane on {@code jobs.get(i)} for each of {@code indices}, in that order.
     *
     * @param open holds the lane's context while it is open, for a last resort that ends it (an interrupted run that did
     *             not stop in time)
     */
    static SuiteSideLane start(List<SuiteRunner.Job> jobs, List<Integer> indices, Run run, Set<RunContext> open) {
        SuiteSideLane lane = new SuiteSideLane(jobs, indices, run, open);
        lane.thread.start();
        return lane;
    }

    /**
     * Waits for the lane's end and rethrows what it threw ({@link Interruption.Stop} included: a stop asked for while the
     * other lane had no job left still ends the suite).
     */
    void await() throws InterruptedException {
        thread.join();
        synchronized (this) {
            LaneFailure.rethrow(threw);
        }
    }

    /** Each of the lane's environments described while it was open (its workers' namespaces), by name. */
    synchronized Map<String, Map<String, String>> described() {
        return new LinkedHashMap<>(described);
    }

    /** What the lane's reaper removed when its context ended. */
    synchronized List<String> reaped() {
        return List.copyOf(reaped);
    }

    /** Leaves the lane before its next job and waits for its context to end (what it threw is not rethrown). */
    @Override
    public void close() throws InterruptedException {
        abandoned = true;
        thread.join();
    }

    private void lane() {
        try {
            RunContext context = RunContext.create();
            open.add(context);
            Map<String, Environment> environments = Map.of();
            try {
                List<String> names = indices.stream().map(i -> jobs.get(i).env()).distinct().toList();
                environments = run.environments(names, context);
                run.suite(context, environments).run(jobs, indices, () -> abandoned);
            } finally {
                Map<String, Map<String, String>> facts = new LinkedHashMap<>();
                try {
                    environments.forEach((name, env) -> facts.put(name, env.describe())); // before they close
                } finally {
                    List<String> removed = run.end(context, environments);
                    open.remove(context);
                    synchronized (this) {
                        described.putAll(facts);
                        reaped.addAll(removed);
                    }
                }
            }
        } catch (RuntimeException | Error | InterruptedException e) {
            synchronized (this) {
                threw = e;
            }
        }
    }
}
