package org.shmconform.engine.env;

import org.shmconform.engine.launch.ToolRun;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The docker command-line client. Always /usr/bin/docker (Debian's docker.io client, matched to its
 * engine): a newer client elsewhere on PATH may speak an API version a 20.10 engine refuses.
 * Override with the system property shmconform.docker, and its bound (30 s) with shmconform.docker.seconds.
 */
final class DockerCli {
    static final String PATH = System.getProperty("shmconform.docker", "/usr/bin/docker");
    private static final Duration TIMEOUT = Duration.ofSeconds(Long.getLong("shmconform.docker.seconds", 30));

    private DockerCli() {
    }

    static ToolRun run(String... args) {
        return run(List.of(args));
    }

    static ToolRun run(List<String> args) {
        List<String> argv = new ArrayList<>();
        argv.add(PATH);
        argv.addAll(args);
        return ToolRun.of(TIMEOUT, argv);
    }

    /** The engine's version, or null when no engine answers. */
    static String serverVersion() {
        ToolRun v = askServerVersion();
        return v.ok() ? v.output().strip() : null;
    }

    /** {@code docker version}'s run for the engine's version: {@link ToolRun#timedOut()} when the client did not end. */
    static ToolRun askServerVersion() {
        return run("version", "--format", "{{.Server.Version}}");
    }

    /** Why the client did not tell, in one line, when {@code docker version} did not end in its bound. */
    static String whyUndecided() {
        return PATH + " version did not end in " + TIMEOUT.toSeconds() + " s: the engine neither answered nor refused"
                + " (a stuck or overloaded dockerd); the cells of the Docker environments are UNKNOWN, not NOT_AVAILABLE";
    }

    /** The highest API version the engine speaks, e.g. "1.41", or null. */
    static String serverApiVersion() {
        ToolRun v = askServerApiVersion();
        return v.ok() ? v.output().strip() : null;
    }

    /** {@code docker version}'s run for the engine's API version: {@link ToolRun#timedOut()} when the client did not end. */
    static ToolRun askServerApiVersion() {
        return run("version", "--format", "{{.Server.APIVersion}}");
    }

    /** Why no engine answers, in one line. */
    static String whyNoEngine() {
        return whyNoEngine(run("version"));
    }

    /** Why no engine answers, from a {@code docker version} already run that did not answer (not run again). */
    static String whyNoEngine(ToolRun version) {
        return "no docker engine answers (" + PATH + " version: " + version.lastLine()
                + "); start one with docker/start-engine.sh";
    }
}
