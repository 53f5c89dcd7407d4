package org.shmconform.spi;

import java.util.List;

/**
 * Seed M3, "since QTemporaryFile is a QFile, applications can use that class to achieve clean-up semantics and
 * to create unique shared memory segments too": a segment whose object is a file-backed one can make its file
 * the way QTemporaryFile does (ops {@code createTemp} and {@code tempFiles}). A segment that cannot does not
 * implement this (the worker answers both ops false with UnknownError).
 */
public interface TemporaryFiles {
    /**
     * Like {@code QTemporaryFile(template).open()} then {@code map()}: a new file named from this object's key
     * as template plus a random part, made with O_CREAT|O_EXCL (so two creators never share one: unique
     * segments), sized to {@code size} and mapped; the object is attached to it, and its detach removes the
     * file, as the QTemporaryFile destructor does (clean-up semantics). A creator that dies without that
     * leaves the file (named, as QTemporaryFile's is, so that other processes can open it).
     *
     * @return false with the object's error set when it could not be made
     */
    boolean createTemporary(long size, AccessMode mode);

    /** The file name {@link #createTemporary} made (no directory), or null when the object has none. */
    String temporaryName();

    /** The names of the temporary files of this object's key template now in its directory, made by any process, sorted. */
    List<String> temporaryFiles();
}
