package org.shmconform.spi;

/**
 * Every operation a worker performs on its one segment object: the vocabulary shared by schedule
 * steps, protocol requests, history events and model operations. Each is the {@link SharedSegment}
 * call of the same name, plus the test-only {@code rawWrite}, {@code truncate}, {@code sleep} and
 * {@code exit} (the worker's end, as the QSharedMemory destructor). The engine's own {@code kill} is
 * not among them: it is done to a worker, not by it.
 *
 * <p>{@code serveFd} and {@code attachFd} hand a segment over as a descriptor (seed L5, {@link DescriptorHandOver}):
 * the holder serves its attached segment's descriptor on a Unix socket ({@link Args#path()}, to the user
 * {@link Args#peer()}), a receiver whose object has the same key attaches through it. A worker whose
 * segment cannot do that answers them false (UnknownError).
 *
 * <p>{@code placement} and {@code placeIn} are the harness's (seeds M6, L1, L2, L4, {@link Placement}): placement
 * reports every directory the worker's backend puts named objects in (or the one directory {@link Args#path()}
 * names) with its filesystem type, measured by statfs in the worker's mount namespace; placeIn tells a backend
 * that can be told ({@link SharedMemoryBackend#placedIn}) to put its files in the directory {@link Args#path()}
 * names. A schedule names those directories (a plain name); the engine sends the path it stands for.
 *
 * <p>{@code createTemp} (key, size, mode) and {@code tempFiles} (key) are seed M3's QTemporaryFile ({@link TemporaryFiles}):
 * createTemp makes a uniquely named temporary file from the key as template and attaches to it (value: the file's
 * name); tempFiles lists the temporary files of the key now in the directory (value: names, space-separated).
 *
 * <p>{@code spawnChild} is the other way seed L5 names ("let a child process inherit it"): the worker
 * itself starts a child worker process ({@link Args#child()} names it in the schedule) that inherits the
 * attached segment's descriptor and attaches through it ({@link DescriptorHandOver#attachInherited}); a
 * worker that is not attached, or whose segment cannot hand its descriptor over, starts the child without one
 * and answers false.
 */
public enum Op {
    create, attach, detach, lock, unlock, read, write, rawWrite, truncate, size, isAttached, nativeKey, error, sleep, exit,
    serveFd, attachFd, placement, placeIn, createTemp, tempFiles, spawnChild;

    /** The op named {@code name}, or null. */
    public static Op named(String name) {
        for (Op op : values()) {
            if (op.name().equals(name)) {
                return op;
            }
        }
        return null;
    }
}
