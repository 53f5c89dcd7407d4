package org.shmconform.engine.env;

import org.shmconform.engine.launch.ToolRun;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The docker command-line client. Always /usr/bin/docker (Debian's docker.io client, matched to its
 * engine): a newer client elsewhere on PATH may speak an API version a 20.10 engine refuses.
 * Override with the system property shmconform.docker.
 */
final class DockerCli {
    static final String PATH = System.getProperty("shmconform.docker", "/usr/bin/docker");
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

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
        ToolRun v = run("version", "--format", "{{.Server.Version}}");
        return v.ok() ? v.output().strip() : null;
    }

    /** The highest API version the engine speaks, e.g. "1.41", or null. */
    static String serverApiVersion() {
        ToolRun v = run("version", "--format", "{{.Server.APIVersion}}");
        return v.ok() ? v.output().strip() : null;
    }

    /** Why no engine answers, in one line. */
    static String whyNoEngine() {
        ToolRun v = run("version");
        return "no docker engine answers (" + PATH + " version: " + v.lastLine()
                + "); start one with docker/start-engine.sh";
    }
}
