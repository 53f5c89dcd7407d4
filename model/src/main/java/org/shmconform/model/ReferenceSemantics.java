package org.shmconform.model;

import org.shmconform.spi.BackendSemantics;
import org.shmconform.spi.BackendSemantics.LockOnHolderDeath;
import org.shmconform.spi.BackendSemantics.Resize;
import org.shmconform.spi.BackendSemantics.Visibility;

/**
 * What the real-Qt reference columns are held to: Qt's behaviour on Linux as observed, stated as a
 * declaration like a backend's, so that the checker judges a Qt worker the same way.
 */
public final class ReferenceSemantics {
    /**
     * Qt 6.4 on Debian: System V only; shares the key space with the Java sysv backend (same key
     * files, same ftok), last detacher removes, SEM_UNDO releases a dead holder's lock; and create() (or a
     * re-attach by an object that once called create()) re-initialises the lock's semaphore to 1, which
     * lets a second holder in while the first still holds it (found by the lock-survives-failed-create scenario).
     * An attach() or create() by the object that owns the semaphore removes the set and its key file; another opener
     * re-makes the key file after EIDRM and, if the file gets a new inode (tmpfs), a set of its own: replay of fuzz
     * sysv seed 20 (B create, A create fails, A attach, B lock, A lock) on this column: A acquires while B holds with
     * TMPDIR on a tmpfs, A waits on ext4 (LockRules.mayBeSplitByKeyFile).
     */
    public static final BackendSemantics QT_6_4 = new BackendSemantics("qt-sysv", true, true, LockOnHolderDeath.RELEASED,
            Resize.NOT_RESIZABLE, Visibility.IPC_NAMESPACE, true);

    /**
     * Qt 6.8.2 (Debian 13), System V, legacy keys ({@code legacyNativeKey(key, SystemV)}, column qt68-sysv). Measured
     * with the named suite on this column (run of 2026-12-02, report matrix.md):
     * <ul>
     * <li>keyingResetsLock: kept from Qt 6.4. {@code lock-survives-failed-create}: B's create() on the existing key
     * re-initialises the semaphore A holds, and C acquires the lock while A holds it (history line 8).</li>
     * <li>retryRemovesOrphan: new in 6.8. {@code crash-survives}: after the creator's SIGKILL the segment survives
     * (nattch 0), B's create() gives AlreadyExists as documented, but B's fallback attach() then gives NotFound
     * "QSharedMemory::handle: doesn't exist": its initKey() ran cleanHandle(), which removes a segment with no
     * attachment and unlinks its key file (history lines 7-9; by hand: the segment and key file are still there
     * after the failed create and gone after the attach, and a second create() instead of the attach succeeds).
     * The crash may also come after the failed create: fuzz qt68-sysv seed 19 (A create k; C create k → AlreadyExists;
     * kill A; C create k → true, 3/3 on qt68-sysv, -safe, -native; Qt 6.4 and qt68-posix: AlreadyExists), since the
     * failed create keeps unix_key and the next initKey()'s cleanHandle() reads nattch then. If the segment was
     * destroyed meanwhile (A detach instead of the kill) that cleanHandle() fails and C's next create()/attach() returns
     * false with the stale AlreadyExists, once (LifecycleRules.keptHandleIsStale; replays in Qt68ProfilesTest).
     * (Qt 6.8.2's cleanHandle ends in {@code return unlink(keyfile) == 0}: read in the disassembly of libQt6Core.so.6.8.2,
     * {@code test eax,eax; sete} after the call to unlink; the inverted {@code if (!unlink(keyfile)) return false} is not
     * in this build.)</li>
     * <li>Under the same flag, the semaphore's error leaks into create(): every object that keyed the lock in Create mode
     * owns the System V set, the next create() of one owner removes it, and another owner's next create() (or attach()
     * to another key) fails in initKey with UnknownError "unable to set key on lock (QSystemSemaphore::cleanHandle:
     * unknown error: Invalid argument)" where the documentation promises AlreadyExists (fuzz qt68-sysv seed 90, 3/3 on
     * qt68-sysv, -safe and -native; Qt 6.4 and qt68-posix: AlreadyExists). A Qt bug against the documentation: legal
     * under this declaration, a DEVIATES under the documented profile (LifecycleRules.semaphoreRemovedUnder).</li>
     * <li>The split of keyingResetsLock by the owner's removal of the set and key file: Qt 6.8's attach() keeps the
     * semaphore when the key is the same ({@code QSystemSemaphore::setNativeKey} returns early in Open mode), so sysv seed
     * 20 waits here on tmpfs and ext4 alike, but a second create() by the owner (B create, A create fails twice, B lock,
     * A lock) lets A acquire while B holds with TMPDIR on a tmpfs. The model also allows the split at attach() here
     * (looser than Qt 6.8 needs).</li>
     * <li>Otherwise as Qt 6.4: shares the key space of the Java sysv backend and Qt 6.4 (Qt68RootTest, interop
     * scenarios), last detach destroys, crash survives, SEM_UNDO releases a dead holder's lock
     * ({@code lock-holder-killed}).</li>
     * </ul>
     */
    public static final BackendSemantics QT_6_8_SYSV = new BackendSemantics("qt-sysv", true, true, LockOnHolderDeath.RELEASED,
            Resize.NOT_RESIZABLE, Visibility.IPC_NAMESPACE, true, true);

    /**
     * Qt 6.8.2, System V, {@code platformSafeKey(key, SystemV)} (column qt68-sysv-safe): the key file is
     * {@code $XDG_RUNTIME_DIR/<key>}, and segment and semaphore share its ftok key. Its own key space (no
     * legacy name meets it). The same two quirks as qt68-sysv, from the same scenarios on this column
     * ({@code lock-survives-failed-create} line 8; {@code crash-survives} lines 7-9), and the leaked UnknownError.
     * Because segment and semaphore share the key file, the semaphore owner's re-key unlinks the key file of a segment
     * others still hold: a key file made since may ftok to that segment (its inode reused, on ext4) and its own re-made
     * key file may not (fuzz qt68-sysv-safe and -native seed 3: C create k; A create k → AlreadyExists; A create k_1 →
     * AlreadyExists, 3/3; A attach j → true on C's segment; B attach k → NotFound while C holds it). Not on qt68-sysv,
     * whose semaphore has a file of its own (the same replays pass there as documented). LockRules.keyFileUnlinked.
     * Declared {@code lockSharesKeyFile}: the rules of a key file unlinked under a live set apply to these keys only.
     */
    public static final BackendSemantics QT_6_8_SYSV_SAFE = new BackendSemantics("qt68-sysv-safe", true, true, LockOnHolderDeath.RELEASED,
            Resize.NOT_RESIZABLE, Visibility.IPC_NAMESPACE, true, true).withLockSharingKeyFile(true);

    /**
     * Qt 6.8.2, POSIX, legacy names ({@code legacyNativeKey(key, PosixRealtime)} = {@code /qipc_sharedmemory_...}, the
     * Java posix backend's name; column qt68-posix).
     * <ul>
     * <li>lastDetachDestroys false: {@code last-detach-creator-last} and {@code last-detach-attacher-last}: after the
     * last detach, C's attach succeeds (history line 12). Qt 6.8 shm_unlinks only on QNX (on Linux st_nlink does not
     * count attachments), so the name stays until someone unlinks it (the run's reaper does).</li>
     * <li>lockOnHolderDeath STAYS_HELD: {@code lock-holder-killed}: a named POSIX semaphore has no undo.</li>
     * <li>keyingResetsLock false: {@code lock-survives-failed-create} passes (the semaphore is opened, not re-initialised).</li>
     * <li>keyingSplitsLock: a failed create() splits the lock. Replay {@code /work/notes/posix/qt68-posix.json} (3 of 3
     * times, as the fuzzer's shrunk schedule): B create k; A create k → AlreadyExists; A lock → true; B lock → true while
     * A holds it. qsharedmemory.cpp's create() runs initKey(QSystemSemaphore::Create) before anything else, and the POSIX
     * QSystemSemaphore in Create mode sem_unlinks the existing name and sem_opens a fresh semaphore (O_CREAT|O_EXCL):
     * A's object locks the fresh one, B keeps the old one. The Java posix backend does the same call for call.</li>
     * <li>resize SHRINKABLE: {@code truncate-under-reader}: ftruncate by a peer shrinks it and the reader dies of SIGBUS.</li>
     * </ul>
     */
    public static final BackendSemantics QT_6_8_POSIX = new BackendSemantics("qt-posix", false, true, LockOnHolderDeath.STAYS_HELD,
            Resize.SHRINKABLE, Visibility.DEV_SHM_MOUNT, false).withKeyingSplitsLock(true);

    /**
     * Qt 6.8.2, POSIX, {@code platformSafeKey(key, PosixRealtime)} = {@code /<key>} (column qt68-posix-safe), its
     * semaphore {@code /<key>} too (sem.&lt;key&gt; in /dev/shm). Its own key space. Same evidence as qt68-posix, on this
     * column: the last detach leaves the name ({@code last-detach-*} line 12), the lock stays held after its holder's death,
     * and a failed create() splits the lock's semaphore (same code path as qt68-posix).
     */
    public static final BackendSemantics QT_6_8_POSIX_SAFE = new BackendSemantics("qt68-posix-safe", false, true, LockOnHolderDeath.STAYS_HELD,
            Resize.SHRINKABLE, Visibility.DEV_SHM_MOUNT, false).withKeyingSplitsLock(true);

    /**
     * Qt 6.8.2, POSIX, native keys ({@code setNativeKey(QNativeIpcKey(key, PosixRealtime))}, column qt68-posix-native):
     * glibc's shm_open adds the leading slash, so it names the objects of qt68-posix-safe (same key space:
     * {@code native-key-meets-platform-safe-key}). Qt makes a semaphore for the native key too, split by create() as on
     * qt68-posix.
     */
    public static final BackendSemantics QT_6_8_POSIX_NATIVE = new BackendSemantics("qt68-posix-safe", false, true, LockOnHolderDeath.STAYS_HELD,
            Resize.SHRINKABLE, Visibility.DEV_SHM_MOUNT, false).withKeyingSplitsLock(true);

    private ReferenceSemantics() {
    }
}
