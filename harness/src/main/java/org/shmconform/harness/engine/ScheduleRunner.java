package org.shmconform.harness.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.shmconform.backends.Availability;
import org.shmconform.harness.engine.WorkerProcess.Received;
import org.shmconform.harness.engine.env.Environment;
import org.shmconform.harness.history.EventType;
import org.shmconform.harness.history.History;
import org.shmconform.harness.history.HistoryEvent;
import org.shmconform.harness.protocol.WorkerProtocol;
import org.shmconform.harness.protocol.WorkerProtocol.Reply;
import org.shmconform.harness.protocol.WorkerProtocol.Request;
import org.shmconform.harness.schedule.Schedule;
import org.shmconform.harness.schedule.Step;
import org.shmconform.harness.schedule.WorkerSpec;

/**
 * Runs a schedule on real worker processes and records the history. Each step is issued in order;
 * the engine then waits up to {@link Timing#blockBound} for its reply. An op that has not replied by
 * then is in flight (typically blocked on the lock): later steps go on, and the worker's next step
 * first waits for it, up to {@link Timing#opDeadline}. A worker that still has not replied is
 * killed and its op closed as {@code info} ("timeout"), so a hung worker never hangs the run.
 */
public final class ScheduleRunner {
    /** Every bound is far above the 1-5 ms stalls this kind of machine has (physical-limits.md). */
    public record Timing(Duration blockBound, Duration opDeadline, Duration settle, Duration startDeadline) {
        public static Timing defaults() {
            return new Timing(Duration.ofMillis(400), Duration.ofSeconds(10), Duration.ofMillis(1500), Duration.ofSeconds(60));
        }
    }

    private static final HexFormat HEX = HexFormat.of();
    private final RunContext run;
    private final WorkerCommands commands;
    private final Map<String, Environment> environments;
    private final Timing timing;

    public ScheduleRunner(RunContext run, Map<String, Environment> environments, Timing timing) {
        this.run = run;
        this.commands = new WorkerCommands(run);
        this.environments = environments;
        this.timing = timing;
    }

    /** Why this schedule cannot run here (a backend, the Qt worker or an environment is missing), or null. */
    public String unavailableReason(Schedule schedule) {
        for (WorkerSpec w : schedule.workers()) {
            Availability impl = commands.availability(w.impl());
            if (!impl.available()) {
                return w.impl() + ": " + impl.reason();
            }
            Environment env = environments.get(w.env());
            if (env == null) {
                return "environment '" + w.env() + "' is not configured";
            }
            if (!env.availability().available()) {
                return "environment " + w.env() + ": " + env.availability().reason();
            }
            String cannot = env.cannotRun(commands.command(w.impl(), w.user(), w.tmpdir()));
            if (cannot != null) {
                return "environment " + w.env() + ": " + cannot;
            }
            if (w.user() != null && !isRoot()) {
                return "running a worker as " + w.user() + " needs root";
            }
        }
        return null;
    }

    public Execution run(Schedule schedule) throws InterruptedException {
        return new Attempt(schedule, run.nextExecutionPrefix()).execute();
    }

    /** One execution: its workers, its clock and its history. */
    private final class Attempt {
        private final Schedule schedule;
        private final String prefix;
        private final History history = new History();
        private final long start = System.nanoTime();
        private final Map<String, WorkerProcess> workers = new LinkedHashMap<>();
        private final Map<String, Execution.WorkerInfo> infos = new LinkedHashMap<>();
        private final Map<String, HistoryEvent> inFlight = new LinkedHashMap<>();
        private final Map<String, Long> inFlightSeq = new LinkedHashMap<>();
        private final List<String> notes = new ArrayList<>();
        /** Why the engine is killing a worker, so its in-flight op closes with that reason rather than "crashed". */
        private final Map<String, String> dying = new LinkedHashMap<>();
        /** Host pids of this execution's workers: kernel objects they last touched are this execution's. */
        private final java.util.Set<Long> hostPids = new java.util.HashSet<>();
        private long seq;

        Attempt(Schedule schedule, String prefix) {
            this.schedule = schedule;
            this.prefix = prefix;
        }

        Execution execute() throws InterruptedException {
            String broken = null;
            try {
                broken = startWorkers();
                if (broken == null) {
                    for (Step step : schedule.steps()) {
                        perform(step);
                    }
                    settle();
                }
            } catch (IOException e) {
                broken = "harness I/O error: " + e.getMessage();
            } finally {
                shutdownAll();
                Reaper.afterExecution(run, prefix, notes);
            }
            return new Execution(schedule, prefix, history, Map.copyOf(infos), notes, broken);
        }

        private String startWorkers() throws InterruptedException {
            ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, schedule.workers().size()));
            try {
                Map<String, Future<WorkerProcess>> starting = new LinkedHashMap<>();
                for (WorkerSpec spec : schedule.workers()) {
                    starting.put(spec.id(), pool.submit(() -> startWorker(spec)));
                }
                String broken = null;
                for (WorkerSpec spec : schedule.workers()) {
                    try {
                        WorkerProcess wp = starting.get(spec.id()).get();
                        workers.put(spec.id(), wp);
                        Reply hello = wp.hello();
                        if (hello == null) {
                            broken = "worker " + spec.id() + " (" + spec.impl() + " in " + spec.env() + ") did not say hello; see "
                                    + run.logs().resolve(logName(spec));
                            continue;
                        }
                        long pid = hello.value().path("pid").asLong(-1);
                        wp.hostPid().ifPresent(hostPids::add);
                        Map<String, String> namespaces = new LinkedHashMap<>(environments.get(spec.env()).namespaces(spec.group()));
                        namespaces.put("tmpdir", spec.tmpdir() == null ? "run" : spec.tmpdir()); // System V key files live there
                        infos.put(spec.id(), new Execution.WorkerInfo(spec.id(), spec.impl(), spec.env(), pid, spec.user(),
                                namespaces, hello.value().path("impl").asText(), null));
                    } catch (java.util.concurrent.ExecutionException e) {
                        broken = "worker " + spec.id() + " could not start: " + e.getCause();
                    }
                }
                return broken;
            } finally {
                pool.shutdownNow();
            }
        }

        private WorkerProcess startWorker(WorkerSpec spec) throws IOException, InterruptedException {
            WorkerHandle handle = environments.get(spec.env()).start(commands.command(spec.impl(), spec.user(), spec.tmpdir()), spec.group());
            WorkerProcess wp = new WorkerProcess(spec.id(), handle, run.logs().resolve(logName(spec)));
            wp.awaitHello(timing.startDeadline());
            return wp;
        }

        private String logName(WorkerSpec spec) {
            return prefix + "-" + spec.id() + ".stderr.log";
        }

        private void perform(Step step) throws InterruptedException, IOException {
            WorkerProcess wp = workers.get(step.worker());
            if (wp == null) {
                notes.add("step for unknown worker " + step.worker() + " skipped");
                return;
            }
            if ("kill".equals(step.op())) {
                kill(step.worker(), "killed");
                return;
            }
            awaitInFlight(step.worker(), timing.opDeadline());
            if (infos.get(step.worker()).exitStatus() != null) {
                notes.add("step " + step.op() + " for dead worker " + step.worker() + " skipped");
                return;
            }
            Request request = toRequest(step, ++seq);
            HistoryEvent invoke = history.append(invokeEvent(step, request));
            inFlight.put(step.worker(), invoke);
            inFlightSeq.put(step.worker(), request.seq());
            try {
                wp.send(request);
            } catch (IOException e) {
                // The worker is gone: its death is picked up below as an info completion.
            }
            collect(step.worker(), step.noWait() ? Duration.ZERO : timing.blockBound());
        }

        /** Reads what the worker said until its in-flight op completes or the timeout passes. */
        private void collect(String worker, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            WorkerProcess wp = workers.get(worker);
            while (inFlight.containsKey(worker)) {
                long left = deadline - System.nanoTime();
                Received r = wp.poll(Duration.ofNanos(Math.max(0, left)));
                if (r == null) {
                    return;
                }
                if (r.reply() == null && r.unparsable() == null) {
                    Integer status = wp.reap(Duration.ofSeconds(10));
                    died(worker, status, dying.getOrDefault(worker, "crashed"));
                    return;
                }
                if (r.unparsable() != null) {
                    continue; // e.g. the JVM's crash banner: WorkerProcess copies it to the worker's log
                }
                if (r.reply().seq() == inFlightSeq.get(worker)) {
                    complete(worker, r);
                }
            }
        }

        private void awaitInFlight(String worker, Duration deadline) throws InterruptedException {
            if (!inFlight.containsKey(worker)) {
                return;
            }
            collect(worker, deadline);
            if (inFlight.containsKey(worker)) {
                kill(worker, "timeout");
            }
        }

        private void settle() throws InterruptedException {
            long deadline = System.nanoTime() + timing.settle().toNanos();
            for (String worker : new ArrayList<>(inFlight.keySet())) {
                collect(worker, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            }
            for (String worker : new ArrayList<>(inFlight.keySet())) {
                kill(worker, "timeout");
            }
        }

        /** A real SIGKILL, recorded as a nemesis op; the worker's in-flight op closes as info. */
        private void kill(String worker, String why) throws InterruptedException {
            WorkerProcess wp = workers.get(worker);
            if (infos.get(worker).exitStatus() != null) {
                return;
            }
            history.append(event("nemesis", EventType.invoke, "kill").value(worker).note(why).build());
            dying.put(worker, why);
            Integer status = wp.killAndReap(Duration.ofSeconds(30));
            // A reply that raced the kill still counts: drain what was already read.
            collect(worker, Duration.ofMillis(50));
            died(worker, status, why);
            history.append(event("nemesis", EventType.ok, "kill").value(worker).exitStatus(status).note(why).build());
        }

        private void died(String worker, Integer status, String why) {
            Execution.WorkerInfo info = infos.get(worker);
            infos.put(worker, new Execution.WorkerInfo(info.id(), info.impl(), info.env(), info.pid(), info.user(),
                    info.namespaces(), info.helloImpl(), status == null ? -1 : status));
            HistoryEvent invoke = inFlight.remove(worker);
            inFlightSeq.remove(worker);
            if (invoke != null) {
                String signal = workers.get(worker).crashSignal();
                history.append(event(worker, EventType.info, invoke.f()).exitStatus(status)
                        .note(why.equals("crashed") && signal != null ? "crashed" : why).value(signal).build());
            }
        }

        private void complete(String worker, Received r) {
            HistoryEvent invoke = inFlight.remove(worker);
            inFlightSeq.remove(worker);
            Reply reply = r.reply();
            EventBuilder b = event(worker, reply.ok() ? EventType.ok : EventType.fail, invoke.f()).at(r.nanos())
                    .error(reply.error(), reply.errorString());
            if (reply.value() != null) {
                if (reply.value().has("hex")) {
                    b.data(reply.value().get("hex").asText());
                } else if (reply.value().isValueNode()) {
                    b.value(reply.value().asText());
                }
            }
            if (reply.protocolError() != null) {
                b.note("protocol error: " + reply.protocolError());
            }
            history.append(b.build());
        }

        private void shutdownAll() throws InterruptedException {
            for (WorkerProcess wp : workers.values()) {
                wp.shutdown(Duration.ofSeconds(5));
            }
        }

        private Request toRequest(Step step, long seqNo) {
            WorkerProtocol.Op op = WorkerProtocol.Op.valueOf(step.op());
            String key = step.key() == null ? null : step.key().isEmpty() ? "" : prefix + step.key();
            String hex = step.data() == null ? null : HEX.formatHex(step.data().getBytes(StandardCharsets.UTF_8));
            Integer length = step.length();
            return new Request(seqNo, op, key, step.size(), step.mode(), step.offset(), length, hex, step.ms());
        }

        private HistoryEvent invokeEvent(Step step, Request request) {
            EventBuilder b = event(step.worker(), EventType.invoke, step.op());
            b.key = step.key();
            b.size = step.size();
            b.mode = step.mode();
            b.offset = step.offset();
            b.length = step.length();
            b.data = request.hex();
            return b.build();
        }

        private EventBuilder event(String process, EventType type, String f) {
            return new EventBuilder(process, type, f, System.nanoTime() - start);
        }

        private final class EventBuilder {
            private final String process;
            private final EventType type;
            private final String f;
            private long time;
            private String key;
            private Long size;
            private String mode;
            private Long offset;
            private Integer length;
            private String data;
            private String value;
            private String error;
            private String errorString;
            private Integer exitStatus;
            private String note;

            EventBuilder(String process, EventType type, String f, long time) {
                this.process = process;
                this.type = type;
                this.f = f;
                this.time = time;
            }

            EventBuilder at(long nanos) {
                this.time = nanos - start;
                return this;
            }

            EventBuilder value(String v) {
                this.value = v;
                return this;
            }

            EventBuilder data(String hex) {
                this.data = hex;
                return this;
            }

            EventBuilder error(String e, String s) {
                this.error = e;
                this.errorString = s;
                return this;
            }

            EventBuilder exitStatus(Integer s) {
                this.exitStatus = s;
                return this;
            }

            EventBuilder note(String n) {
                this.note = n;
                return this;
            }

            HistoryEvent build() {
                return new HistoryEvent(0, time, process, type, f, key, size, mode, offset, length, data, value, error,
                        errorString, exitStatus, note);
            }
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }
}
