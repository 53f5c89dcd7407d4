package org.shmconform.engine.env;

import org.shmconform.spi.Availability;

/** Prints a docker-private environment's availability state and reason: for a JVM given another docker client. */
public final class PrintsDockerAvailability {
    private PrintsDockerAvailability() {
    }

    public static void main(String[] args) {
        try (DockerEnvironment env = new DockerEnvironment(DockerEnvironment.Mode.PRIVATE, "printsdocker")) {
            Availability a = env.availability();
            System.out.println(a.state() + ": " + a.reason());
        }
    }
}
