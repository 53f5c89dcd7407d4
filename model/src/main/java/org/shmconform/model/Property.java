package org.shmconform.model;

import java.util.Arrays;
import java.util.Optional;

/**
 * The checked properties, each tied to the sentence it comes from. BRIEF = docs/qt-docs/qsharedmemory-brief.rst,
 * NOTES = docs/qt-docs/qsharedmemory-platform-notes.rst, API = Qt's QSharedMemory reference (as catalogued in
 * docs/anchors/qt-semantics.md; P<n> ids are that catalogue's).
 */
public enum Property {
    CREATE_SIZE("BRIEF", "One QSharedMemory object must create the segment and this call specifies the size of the segment."),
    ATTACH_EXISTING("BRIEF", "All other processes simply attach to the segment that must already exist."),
    DATA_SHARED("BRIEF", "After either operation is successful, the application may call data() to obtain a pointer to the data."),
    LOCK_EXCLUSIVE("NOTES", "It also provides a way for a single thread or process to lock the memory for exclusive access."),
    LAST_DETACH_DESTROYS("BRIEF", "QSharedMemory automatically destroys the shared memory segment when the last instance of "
            + "QSharedMemory is detach from the segment, and no references to the segment remain."),
    CRASH_SURVIVES("NOTES", "But if that last thread or process crashes without running the QSharedMemory destructor, "
            + "the shared memory segment survives the crash."),
    CREATE_EXISTS_FALLBACK("NOTES", "if (!shm.create(42) && shm.error() == QSharedMemory::AlreadyExists) shm.attach();"),
    BACKENDS_SEPARATE("NOTES", "These two backends do not interoperate, so two applications must ensure they use the same one, "
            + "even if the native key (see setNativeKey) is the same."),
    KEY_LENGTH_30("NOTES", "The key length is limited to 30 characters."),
    TRUNCATION_CRASHES("NOTES", "The files may be truncated/shrunk and cause applications accessing memory beyond the file's "
            + "size to crash."),
    MEMFD_SEALED("NOTES", "\"memfds\" can also be sealed against being shrunk, so they are safe to be used when communicating "
            + "with processes with a different privilege level."),
    NOT_WORLD_ACCESSIBLE("NOTES", "Do note that it is world-readable and writable (like /tmp and /var/tmp), so one must be "
            + "careful of the contents revealed there."),
    NAMESPACE_VISIBILITY("BRIEF", "Shared memory segments are identified by a key ... (on Linux the kernel decides where a key "
            + "reaches: System V objects follow the IPC namespace, POSIX names and tmpfs files the /dev/shm mount, a memfd the "
            + "processes that can see its holder)."),
    OUT_OF_RESOURCES("API", "QSharedMemory::OutOfResources: A create() operation failed because there was not enough memory "
            + "available to fill the request."),
    KEY_FILE_IN_TMPDIR("P2", "System V native key: a file path in QDir::tempPath(), which honours TMPDIR; two processes with "
            + "different TMPDIRs can never meet on a key (qt-semantics P2, P4)."),
    READ_ONLY("API", "QSharedMemory::ReadOnly: The shared memory segment is read-only. Writing to the shared memory segment "
            + "is not allowed."),
    LOCK_HOLDER_DEATH("NOTES", "Remember to lock the shared memory with lock() ... and remember to release the lock with "
            + "unlock() after you are done. (Silent on a holder that dies: each backend says, the harness reports.)"),
    PLACEMENT("NOTES", "A major drawback of using file-backed shared memory is that the operating system will attempt to write "
            + "the data to permanent storage, possibly causing noticeable performance penalties. To avoid this, applications "
            + "should locate a RAM-backed filesystem, such as tmpfs on Linux (see fileSystemType), or pass a flag to the native "
            + "file-opening function to inform the OS to avoid committing the contents to storage."),
    TMP_NEED_NOT_BE_TMPFS("NOTES", "On modern Linux systems, while the /tmp directory is often a tmpfs mount point, that is not a "
            + "requirement."),
    DEV_SHM_TMPFS("NOTES", "However, the /dev/shm directory is required to be a tmpfs and exists for this very purpose."),
    XDG_RUNTIME_TMPFS("NOTES", "Another alternative is to use the XDG Runtime Directory (see writableLocation and RuntimeLocation), "
            + "which on Linux systems using systemd is a user-specific tmpfs."),
    TEMP_FILE_CLEANUP("NOTES", "And since QTemporaryFile is a QFile, applications can use that class to achieve clean-up "
            + "semantics and to create unique shared memory segments too."),
    API_CONTRACT("API", "Boolean results and error values of create/attach/detach/lock/unlock (Qt's error enum and errno mapping)."),
    // Seeds N16-N18, the platform notes' warning on native keys.
    KEY_CHANGED_BY_QT("NOTES", "QSharedMemory changes the key in a Qt-specific way, unless otherwise specified."),
    NATIVE_KEY_INTEROP("NOTES", "Interoperation with non-Qt applications is achieved by first creating a default shared memory with "
            + "QSharedMemory and then setting a native key with setNativeKey, after ensuring they use the same low-level API "
            + "(System V or POSIX)."),
    NATIVE_KEY_UNPROTECTED("NOTES", "When using native keys, shared memory is not protected against multiple accesses on it "
            + "(for example, unable to lock) and a user-defined mechanism should be used to achieve such protection.");

    private final String source;
    private final String sentence;

    Property(String source, String sentence) {
        this.source = source;
        this.sentence = sentence;
    }

    /** The id used in reports, e.g. "LAST-DETACH-DESTROYS". */
    public String id() {
        return name().replace('_', '-');
    }

    public String source() {
        return source;
    }

    public String sentence() {
        return sentence;
    }

    public static Optional<Property> byId(String id) {
        return Arrays.stream(values()).filter(p -> p.id().equals(id)).findFirst();
    }
}
