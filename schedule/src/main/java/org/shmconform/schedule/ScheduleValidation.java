package org.shmconform.schedule;

import org.shmconform.spi.Op;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What a schedule must be before a worker is started for it, in one place, so that a schedule file
 * given to {@code replay} and a generated one are held to the same rules: strict JSON (an unknown
 * field is an error, not ignored), declared and unique workers with known implementations and
 * environments, known operations with exactly the arguments they take, modes Qt has, and sizes,
 * offsets, lengths and counts in range. Each problem is one line that says where and what.
 */
public final class ScheduleValidation {
    /** The engine's own pseudo-process in a history (kills): no worker may take its name. */
    static final String NEMESIS = "nemesis";
    public static final int MAX_WORKERS = 64;
    /** The objects one worker process may hold (WorkerProtocol.MAX_OBJECTS): its own and at most three second objects. */
    public static final int MAX_OBJECTS_PER_PROCESS = 4;
    public static final int MAX_STEPS = 100_000;
    /** Far beyond any tmpfs or shmmax here, and still exact as a JSON number for the Qt worker (doubles). */
    public static final long MAX_SIZE = 1L << 40;
    /** A read's bytes come back hex-encoded on one reply line; a write's go out the same way. */
    public static final int MAX_TRANSFER = 1 << 20;
    public static final long MAX_SLEEP_MS = 60_000;
    public static final int MAX_KEY_CHARS = 1024;
    public static final List<String> MODES = List.of("ReadWrite", "ReadOnly");
    /** Names that end up in paths and container names: letters, digits, '_' and '-'. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,32}");
    private static final Pattern USER = Pattern.compile("[a-z_][a-z0-9_-]{0,31}");

    /** The arguments each operation takes; {@code kill} is the engine's SIGKILL, the others are protocol ops. */
    private static final Map<String, Set<String>> ARGUMENTS = arguments();

    private ScheduleValidation() {
    }

    /** A schedule that must not run: the message is one line for the user. */
    public static final class InvalidSchedule extends IOException {
        public InvalidSchedule(String message) {
            super(message);
        }
    }

    private static Map<String, Set<String>> arguments() {
        Map<String, Set<String>> m = new java.util.LinkedHashMap<>();
        for (Op op : Op.values()) {
            if (op == Op.exit) {
                continue; // the engine's, at a worker's shutdown: no schedule step (see step())
            }
            m.put(op.name(), switch (op) {
                case create -> Set.of("key", "size", "mode");
                case attach -> Set.of("key", "mode");
                case read -> Set.of("offset", "length");
                case write, rawWrite -> Set.of("offset", "data");
                case truncate -> Set.of("length");
                case sleep -> Set.of("ms");
                case serveFd -> Set.of("path", "peer");
                case attachFd -> Set.of("key", "path", "mode");
                case spawnChild -> Set.of("child");
                case placement, placeIn -> Set.of("path"); // a directory's name: the engine resolves it
                case createTemp -> Set.of("key", "size", "mode");
                case tempFiles -> Set.of("key");

                default -> Set.of();
            });
        }
        m.put("kill", Set.of());
        return Map.copyOf(m);
    }

    /** Arguments an operation cannot do without ({@code mode} defaults to ReadWrite, as in Qt). */
    private static Set<String> required(String op) {
        Set<String> r = new HashSet<>(ARGUMENTS.get(op));
        r.remove("mode");
        r.remove("peer"); // serveFd without a peer serves its own user only
        if (op.equals("placement")) {
            r.remove("path"); // without one: the backend's own directories
        }
        return r;
    }

    /** Reads a schedule strictly (unknown fields are errors) and checks it; every failure is one line. */
    public static Schedule parse(String json, String source, Vocabulary known) throws InvalidSchedule {
        ObjectReader reader = Schedule.JSON.readerFor(Schedule.class)
                .with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        Schedule schedule;
        try {
            schedule = reader.readValue(json.getBytes(StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new InvalidSchedule(source + ": " + describe(e));
        } catch (IOException e) {
            throw new InvalidSchedule(source + ": " + e.getMessage());
        }
        if (schedule == null) {
            throw new InvalidSchedule(source + ": empty (expected a schedule object)");
        }
        check(schedule, source, known);
        return schedule;
    }

    /**
     * The names a schedule may use: the columns that exist (a backend name or a reference worker) and
     * the environments. The caller knows them (the engine's column registry); a schedule does not.
     */
    public record Vocabulary(Set<String> impls, Set<String> envs) {
        public Vocabulary {
            impls = Collections.unmodifiableSet(new LinkedHashSet<>(impls));
            envs = Collections.unmodifiableSet(new LinkedHashSet<>(envs));
        }
    }

    /** Checks against the known implementations and environments. */
    public static void check(Schedule schedule, String source, Vocabulary known) throws InvalidSchedule {
        List<String> problems = problems(schedule, known.impls(), known.envs());
        if (!problems.isEmpty()) {
            throw new InvalidSchedule(source + ": " + problems.get(0)
                    + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more)" : ""));
        }
    }

    /** Every problem of the schedule, in order, one line each; empty when it may run. */
    public static List<String> problems(Schedule s, Collection<String> impls, Collection<String> envs) {
        List<String> p = new ArrayList<>();
        if (s.name() == null || s.name().isBlank()) {
            p.add("the schedule has no \"name\"");
        }
        if (s.workers() == null || s.workers().isEmpty()) {
            p.add("the schedule declares no \"workers\"");
            return p;
        }
        if (s.workers().size() > MAX_WORKERS) {
            p.add(s.workers().size() + " workers; at most " + MAX_WORKERS);
        }
        Set<String> declared = new HashSet<>();
        for (int i = 0; i < s.workers().size(); i++) {
            WorkerSpec w = s.workers().get(i);
            String at = "workers[" + i + "]";
            if (w == null) {
                p.add(at + " is null");
                continue;
            }
            if (w.id() == null || !NAME.matcher(w.id()).matches() || w.id().equals(NEMESIS)) {
                p.add(at + ": bad worker id " + quote(w.id()) + " (1-32 letters, digits, '_' or '-'; not 'nemesis')");
            } else if (!declared.add(w.id())) {
                p.add(at + ": duplicate worker " + w.id());
            }
            if (w.impl() == null || !impls.contains(w.impl())) {
                p.add(at + ": unknown implementation " + quote(w.impl()) + "; known: " + String.join(", ", impls));
            }
            if (w.env() == null || !envs.contains(w.env())) {
                p.add(at + ": unknown environment " + quote(w.env()) + "; known: " + String.join(", ", envs));
            }
            if (w.group() == null || !NAME.matcher(w.group()).matches()) {
                p.add(at + ": bad group " + quote(w.group()) + " (1-32 letters, digits, '_' or '-')");
            }
            if (w.user() != null && !USER.matcher(w.user()).matches()) {
                p.add(at + ": bad user name " + quote(w.user()));
            }
            if (w.tmpdir() != null && !NAME.matcher(w.tmpdir()).matches()) {
                p.add(at + ": bad tmpdir " + quote(w.tmpdir()) + " (a name, not a path: 1-32 letters, digits, '_' or '-')");
            }
        }
        if (s.steps() == null) {
            p.add("the schedule has no \"steps\"");
            return p;
        }
        if (s.steps().size() > MAX_STEPS) {
            p.add(s.steps().size() + " steps; at most " + MAX_STEPS);
        }
        for (int i = 0; i < s.steps().size(); i++) {
            Step step = s.steps().get(i);
            if (step == null) {
                p.add("steps[" + i + "] is null");
                continue;
            }
            step(p, "steps[" + i + "] (" + step.worker() + " " + step.op() + ")", step, declared);
        }
        children(p, s);
        objects(p, s);
        return p;
    }

    /**
     * Second objects (a worker whose {@code process} names another): the host is declared before it, lives in a process
     * of its own (one level only) that the engine starts (no spawned child, which spawnChild starts apart), has the
     * guest's impl, env, group, user and tmpdir (it is the same process), and holds at most
     * {@link #MAX_OBJECTS_PER_PROCESS} objects. A guest spawns no child. A worker process does one op at a time, so a
     * step of one of its objects while another's noWait step may still be in flight (it may be blocked in its lock)
     * could only wait behind it: refused, but for a kill (which ends the process and both objects).
     */
    private static void objects(List<String> p, Schedule s) {
        Map<String, WorkerSpec> specs = new java.util.HashMap<>();
        Map<String, Integer> declaredAt = new java.util.HashMap<>();
        Map<String, Integer> objects = new java.util.HashMap<>();
        Set<String> spawned = parents(s).keySet();
        for (int i = 0; i < s.workers().size(); i++) {
            WorkerSpec w = s.workers().get(i);
            if (w == null || w.id() == null) {
                continue;
            }
            specs.putIfAbsent(w.id(), w);
            declaredAt.putIfAbsent(w.id(), i);
            if (w.process() == null) {
                continue;
            }
            String at = "workers[" + i + "] (" + w.id() + ", an object in " + w.process() + "'s process)";
            WorkerSpec host = specs.get(w.process());
            if (w.process().equals(w.id())) {
                p.add(at + ": a worker cannot be a second object of its own process");
            } else if (host == null) {
                p.add(at + ": its process " + w.process() + " is not declared before it in \"workers\"");
            } else if (host.process() != null) {
                p.add(at + ": " + w.process() + " is itself an object in " + host.process() + "'s process (one level only: name "
                        + host.process() + ")");
            } else if (!sameHome(host, w)) {
                p.add(at + ": it must be declared with " + w.process() + "'s impl, env, group, user and tmpdir (it is the same process)");
            } else if (spawned.contains(w.process()) || spawned.contains(w.id())) {
                p.add(at + ": a worker a spawnChild starts cannot have a second object, nor be one");
            } else if (objects.merge(w.process(), 1, Integer::sum) >= MAX_OBJECTS_PER_PROCESS) {
                p.add(at + ": " + w.process() + "'s process would hold more than " + MAX_OBJECTS_PER_PROCESS + " objects");
            }
        }
        Map<String, String> processOf = new java.util.HashMap<>();
        specs.values().forEach(w -> processOf.put(w.id(), w.process() == null ? w.id() : w.process()));
        Map<String, Integer> noWaitInFlight = new java.util.HashMap<>(); // process → the step index of a noWait op maybe in flight
        for (int i = 0; i < s.steps().size(); i++) {
            Step step = s.steps().get(i);
            if (step == null || step.worker() == null || !processOf.containsKey(step.worker())) {
                continue;
            }
            String at = "steps[" + i + "] (" + step.worker() + " " + step.op() + ")";
            WorkerSpec w = specs.get(step.worker());
            if ("spawnChild".equals(step.op()) && w.process() != null) {
                p.add(at + ": " + step.worker() + " is a second object in " + w.process() + "'s process and spawns no child");
            }
            String process = processOf.get(step.worker());
            Integer busy = noWaitInFlight.get(process);
            if (busy != null && !s.steps().get(busy).worker().equals(step.worker()) && !"kill".equals(step.op())) {
                Step pending = s.steps().get(busy);
                p.add(at + ": " + process + "'s process may still be busy with steps[" + busy + "] (" + pending.worker() + " "
                        + pending.op() + ", noWait), and a worker process does one op at a time: give " + pending.worker()
                        + " a step first, or kill it");
            }
            if ("kill".equals(step.op()) || busy != null && s.steps().get(busy).worker().equals(step.worker())) {
                noWaitInFlight.remove(process);
            }
            if (step.noWait() && !"kill".equals(step.op())) {
                noWaitInFlight.put(process, i);
            }
        }
    }

    private static void step(List<String> p, String at, Step s, Set<String> declared) {
        if (s.worker() == null) {
            p.add(at + ": no \"worker\"");
        } else if (!declared.contains(s.worker())) {
            p.add(at + ": worker " + s.worker() + " is not declared in \"workers\"");
        }
        if ("exit".equals(s.op())) {
            // The worker's own end runs its destructor (a detach, whose last one destroys the segment, and the release of
            // a lock it holds) and then ends the process; the model judges neither, so a history with it proves nothing.
            p.add(at + ": exit is not a step a schedule can take (the model does not judge a worker's own end: its"
                    + " destructor's detach and release of the lock); use detach, then kill");
            return;
        }
        if (s.op() == null || !ARGUMENTS.containsKey(s.op())) {
            p.add(at + ": unknown operation " + quote(s.op()) + "; known: " + String.join(", ", new java.util.TreeSet<>(ARGUMENTS.keySet())));
            return;
        }
        Map<String, Object> given = new java.util.LinkedHashMap<>();
        given.put("key", s.key());
        given.put("size", s.size());
        given.put("mode", s.mode());
        given.put("offset", s.offset());
        given.put("length", s.length());
        given.put("data", s.data());
        given.put("ms", s.ms());
        given.put("path", s.path());
        given.put("peer", s.peer());
        given.put("child", s.child());
        Set<String> takes = ARGUMENTS.get(s.op());
        given.forEach((name, value) -> {
            if (value != null && !takes.contains(name)) {
                p.add(at + ": " + s.op() + " takes no " + name + (takes.isEmpty() ? "" : " (it takes " + sorted(takes) + ")"));
            }
        });
        for (String name : required(s.op())) {
            if (given.get(name) == null) {
                p.add(at + ": " + s.op() + " needs " + name);
            }
        }
        if (s.mode() != null && !MODES.contains(s.mode())) {
            p.add(at + ": bad mode " + quote(s.mode()) + "; only ReadWrite or ReadOnly");
        }
        if (s.key() != null && s.key().length() > MAX_KEY_CHARS) {
            p.add(at + ": key of " + s.key().length() + " characters; at most " + MAX_KEY_CHARS);
        }
        // Negative sizes are legal input: create(-5) must give InvalidSize, and the suite checks it does.
        range(p, at, "size", s.size(), Integer.MIN_VALUE, MAX_SIZE);
        range(p, at, "offset", s.offset(), 0, MAX_SIZE);
        if (s.length() != null) {
            range(p, at, "length", s.length().longValue(), 0, s.op().equals("read") ? MAX_TRANSFER : Integer.MAX_VALUE);
        }
        if (s.data() != null && s.data().getBytes(StandardCharsets.UTF_8).length > MAX_TRANSFER) {
            p.add(at + ": data of " + s.data().getBytes(StandardCharsets.UTF_8).length + " bytes; at most " + MAX_TRANSFER);
        }
        range(p, at, "ms", s.ms(), 0, MAX_SLEEP_MS);
        if (s.path() != null && !NAME.matcher(s.path()).matches()) {
            p.add(at + ": bad path " + quote(s.path()) + " (a socket name, not a path: 1-32 letters, digits, '_' or '-')");
        }
        if (s.peer() != null && !USER.matcher(s.peer()).matches()) {
            p.add(at + ": bad peer user name " + quote(s.peer()));
        }
        if ("spawnChild".equals(s.op()) && s.noWait()) {
            p.add(at + ": spawnChild cannot be noWait (the child must have said hello before the next step)");
        }
    }

    /**
     * Each worker a spawnChild step starts, and the worker that starts it (child → parent): the engine
     * starts these when their step comes, not with the others.
     */
    public static Map<String, String> parents(Schedule s) {
        Map<String, String> parents = new java.util.LinkedHashMap<>();
        if (s.steps() != null) {
            for (Step step : s.steps()) {
                if (step != null && "spawnChild".equals(step.op()) && step.child() != null) {
                    parents.putIfAbsent(step.child(), step.worker());
                }
            }
        }
        return parents;
    }

    /**
     * The child-of relationship: a spawned worker is declared, is not its own parent, is spawned once,
     * acts only after its spawn (so a parent runs before it spawns), and is declared in its parent's column,
     * environment, group, user and TMPDIR, since it is the parent's own process that starts it there.
     */
    private static void children(List<String> p, Schedule s) {
        Map<String, WorkerSpec> specs = new java.util.HashMap<>();
        s.workers().stream().filter(java.util.Objects::nonNull).forEach(w -> specs.putIfAbsent(w.id(), w));
        Map<String, Integer> spawnedAt = new java.util.HashMap<>();
        for (int i = 0; i < s.steps().size(); i++) {
            Step step = s.steps().get(i);
            if (step == null || !"spawnChild".equals(step.op()) || step.child() == null) {
                continue;
            }
            String at = "steps[" + i + "] (" + step.worker() + " spawnChild " + step.child() + ")";
            WorkerSpec child = specs.get(step.child());
            WorkerSpec parent = specs.get(step.worker());
            if (child == null) {
                p.add(at + ": child " + step.child() + " is not declared in \"workers\"");
            } else if (step.child().equals(step.worker())) {
                p.add(at + ": a worker cannot spawn itself");
            } else if (spawnedAt.putIfAbsent(step.child(), i) != null) {
                p.add(at + ": " + step.child() + " is already spawned by steps[" + spawnedAt.get(step.child()) + "]");
            } else if (parent != null && !sameHome(parent, child)) {
                p.add(at + ": child " + step.child() + " must be declared with its parent's impl, env, group, user and tmpdir");
            }
        }
        for (int i = 0; i < s.steps().size(); i++) {
            Step step = s.steps().get(i);
            Integer spawn = step == null ? null : spawnedAt.get(step.worker());
            if (spawn != null && i < spawn) {
                p.add("steps[" + i + "] (" + step.worker() + " " + step.op() + "): " + step.worker()
                        + " acts before steps[" + spawn + "] spawns it");
            }
        }
    }

    private static boolean sameHome(WorkerSpec a, WorkerSpec b) {
        return java.util.Objects.equals(a.impl(), b.impl()) && java.util.Objects.equals(a.env(), b.env())
                && java.util.Objects.equals(a.group(), b.group()) && java.util.Objects.equals(a.user(), b.user())
                && java.util.Objects.equals(a.tmpdir(), b.tmpdir());
    }

    private static void range(List<String> p, String at, String name, Long value, long min, long max) {
        if (value != null && (value < min || value > max)) {
            p.add(at + ": " + name + " " + value + " out of range [" + min + ", " + max + "]");
        }
    }

    private static String sorted(Set<String> names) {
        return names.stream().sorted().collect(Collectors.joining(", "));
    }

    private static String quote(String s) {
        return s == null ? "(none)" : "'" + s + "'";
    }

    /** Jackson's message without its source dump and stack position noise: what, and where in the file. */
    private static String describe(JsonProcessingException e) {
        String where = e instanceof JsonMappingException m && !path(m).isEmpty() ? " at " + path(m) : "";
        String line = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")";
        if (e instanceof UnrecognizedPropertyException u) {
            List<String> known = u.getKnownPropertyIds() == null ? List.of()
                    : u.getKnownPropertyIds().stream().map(String::valueOf).sorted().toList();
            return "unknown field '" + u.getPropertyName() + "'" + where + line + "; known: " + String.join(", ", known);
        }
        if (e instanceof InvalidFormatException f) {
            return "bad value " + quote(String.valueOf(f.getValue())) + where + line + " (expected " + simple(f.getTargetType()) + ")";
        }
        if (e instanceof MismatchedInputException m) {
            return "wrong type" + where + line + (m.getTargetType() == null ? "" : " (expected " + simple(m.getTargetType()) + ")");
        }
        if (e instanceof JsonMappingException) {
            return "not a schedule" + where + line + ": " + e.getOriginalMessage().lines().findFirst().orElse("");
        }
        return "not JSON" + line + ": " + e.getOriginalMessage().lines().findFirst().orElse("");
    }

    private static String simple(Class<?> type) {
        if (type == null) {
            return "?";
        }
        if (type == Long.class || type == long.class || type == Integer.class || type == int.class) {
            return "an integer";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type.isArray() || Collection.class.isAssignableFrom(type)) {
            return "a list";
        }
        return "an object";
    }

    private static String path(JsonMappingException e) {
        StringBuilder b = new StringBuilder();
        List<JsonMappingException.Reference> refs = e.getPath();
        if (e instanceof UnrecognizedPropertyException && !refs.isEmpty()) {
            refs = refs.subList(0, refs.size() - 1); // the last one is the unknown field itself, named apart
        }
        for (JsonMappingException.Reference r : refs) {
            if (r.getFieldName() != null) {
                b.append(b.length() == 0 ? "" : ".").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                b.append('[').append(r.getIndex()).append(']');
            }
        }
        return b.toString();
    }
}
