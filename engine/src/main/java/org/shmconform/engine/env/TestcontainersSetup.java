package org.shmconform.engine.env;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What Testcontainers needs on a machine without a registry, checked before its first use.
 * Both variables are read by Testcontainers from the process environment only (system properties
 * and testcontainers.properties are ignored for them), so a harness started without them must say
 * so rather than hang: without them Testcontainers pulls images from Docker Hub and retries for
 * minutes (testcontainers/ryuk; alpine to find the gateway when /.dockerenv exists).
 */
final class TestcontainersSetup {
    private TestcontainersSetup() {
    }

    /** Null when Testcontainers can be used; else the reason, naming the variables to set. */
    static String problem() {
        if (!"true".equalsIgnoreCase(System.getenv("TESTCONTAINERS_RYUK_DISABLED"))) {
            return "Testcontainers needs TESTCONTAINERS_RYUK_DISABLED=true in the environment "
                    + "(else it pulls testcontainers/ryuk from Docker Hub, unreachable here)";
        }
        if (Files.exists(Path.of("/.dockerenv")) && System.getenv("TESTCONTAINERS_HOST_OVERRIDE") == null) {
            return "Testcontainers needs TESTCONTAINERS_HOST_OVERRIDE=localhost in the environment "
                    + "(/.dockerenv exists, so it would pull alpine to find a gateway)";
        }
        return null;
    }

    /**
     * Pins docker-java's API version to what the engine speaks when that is older than the 1.44
     * Testcontainers 2.x pings first (a 20.10 engine answers 400 to that ping and Testcontainers
     * then falls back to 1.32). A value set by the user (-Dapi.version) is kept.
     */
    static void pinApiVersion(String engineApiVersion) {
        if (System.getProperty("api.version") == null && engineApiVersion != null
                && compare(engineApiVersion, "1.44") < 0) {
            System.setProperty("api.version", engineApiVersion);
        }
    }

    private static int compare(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        int major = Integer.compare(Integer.parseInt(x[0]), Integer.parseInt(y[0]));
        return major != 0 ? major : Integer.compare(Integer.parseInt(x[1]), Integer.parseInt(y[1]));
    }
}
