package org.shmconform.engine.env;

/** Prints whether ipcns can run in this process, and why not: for a JVM started without a capability. */
public final class PrintsNamespaceAvailability {
    private PrintsNamespaceAvailability() {
    }

    public static void main(String[] args) {
        try (IpcNamespaceEnvironment env = new IpcNamespaceEnvironment()) {
            System.out.println(env.availability().available() ? "available" : "not available: " + env.availability().reason());
        }
    }
}
