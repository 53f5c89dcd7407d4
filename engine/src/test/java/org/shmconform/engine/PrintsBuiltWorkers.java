package org.shmconform.engine;

/** Builds the Qt worker and the Qt 6.8 launcher in the state directory given as -Dshmconform.state.dir, and says so. */
public final class PrintsBuiltWorkers {
    private PrintsBuiltWorkers() {
    }

    public static void main(String[] args) {
        System.out.println("qt " + (QtReferenceWorker.availability().available() ? "built" : QtReferenceWorker.availability().reason()));
        System.out.println("qt68-launch " + (Qt68Launcher.compiled() != null ? "built" : Qt68Launcher.whyNot()));
    }
}
