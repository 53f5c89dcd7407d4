package org.shmconform.engine;

import java.nio.file.Path;
import org.shmconform.backends.host.InotifyWatch;

/**
 * Tells the ledger about key files the moment they appear and disappear in the run's TMPDIRs
 * (inotify), without waiting for the end of a step: a key file a harness killed mid-step leaves is
 * then in the ledger with its ftok value. A deletion only ends the file's life there: the objects of
 * a file Qt unlinked while they live on are recorded from kernel facts ({@link SetsOfLiveWorker},
 * {@link SegmentsOfLiveWorker}), never by the gone file's ftok value, which a file made after it may share.
 */
final class KeyFileWatch implements AutoCloseable {
    /** What the watch reports to. */
    interface Listener {
        void created(Path file);

        void deleted(Path file);
    }

    private final InotifyWatch inotify;
    private final Listener listener;
    private volatile boolean open = true;

    private KeyFileWatch(InotifyWatch inotify, Listener listener) {
        this.inotify = inotify;
        this.listener = listener;
    }

    /** A running watch, or null where inotify is not available (the end-of-step observation still works). */
    static KeyFileWatch start(Listener listener, String threadName) {
        InotifyWatch inotify = InotifyWatch.open();
        if (inotify == null) {
            return null;
        }
        KeyFileWatch w = new KeyFileWatch(inotify, listener);
        Thread t = new Thread(w::loop, threadName);
        t.setDaemon(true);
        t.start();
        return w;
    }

    void watch(Path dir) {
        inotify.watch(dir);
    }

    private void loop() {
        while (open) {
            for (InotifyWatch.Event e : inotify.next(200)) {
                try {
                    if (e.created()) {
                        listener.created(e.file());
                    } else {
                        listener.deleted(e.file());
                    }
                } catch (RuntimeException ex) {
                    // one unreadable event must not stop the watch
                }
            }
        }
        inotify.close(); // here, not in close(): the number must not be reused while this loop may still read it
    }

    @Override
    public void close() {
        open = false;
    }
}
