package org.shmconform.history;

/** The engine's own process in a history: its {@code kill} events name the worker they kill in {@code value}. */
public final class Nemesis {
    /** The {@code process} of the engine's kill events. */
    public static final String PROCESS = "nemesis";
    /** The {@code f} of a kill. */
    public static final String KILL = "kill";

    private Nemesis() {
    }

    public static boolean is(String process) {
        return PROCESS.equals(process);
    }
}
