package org.shmconform.engine.launch;

/**
 * How this JVM starts processes. Since JDK 12 the default is {@code POSIX_SPAWN}, which execs {@code jspawnhelper} and
 * that execs the program: two execs, two dynamic loads, for every worker the harness starts. {@code VFORK} (the Linux
 * default before JDK 12) execs the program at once. {@code fuzz -b qt --seconds 10}, alternated, in one sitting on the
 * 2-core machine: 648.4 and 652.8 checked ops/s with POSIX_SPAWN, 723.9 and 745.5 with VFORK (perf: jspawnhelper was
 * 5.7 % of the machine's samples). JDK 25 deprecates VFORK and prints a warning at each use, so it is asked for only
 * where it is the JDK's own long-standing mechanism (up to JDK 21) and the user chose none.
 */
public final class LaunchMechanism {
    static final String PROPERTY = "jdk.lang.Process.launchMechanism";
    private static final int LAST_SILENT_FEATURE = 21;

    private LaunchMechanism() {
    }

    /** Before the first process this JVM starts (the JDK reads the property once): VFORK where it is silent. */
    public static void preferVforkWhereSilent() {
        if (System.getProperty(PROPERTY) == null && Runtime.version().feature() <= LAST_SILENT_FEATURE) {
            System.setProperty(PROPERTY, "VFORK");
        }
    }
}
