package org.shmconform.model;

import java.util.ArrayList;
import java.util.List;
import org.shmconform.spi.NativeName;

/**
 * What an op ties its process to, for the checker's partition (Porcupine's P-compositionality): the names another
 * process's op may reach too, and the processes it brings in. Two processes whose ops share a name, or one of which
 * brings the other in, are searched together. Each rule that lets the ops of different processes meet says so here,
 * next to the others, so a new way of meeting cannot be forgotten by the partition:
 * <ul>
 * <li>{@link KeySpaceRules}: the key by name, whatever the key space or namespace (the rules compare spaces and
 *     blame the space that has a key; nested namespaces see each other's);</li>
 * <li>{@link NativeKeyRules}: a native name {@code native-name:<keySpace>:<key>} reaches that space's {@code <key>};</li>
 * <li>{@link HandOverRules}: a hand-over socket path (serveFd/attachFd), and the child a spawnChild starts already
 *     attached to its parent's segment without naming its key;</li>
 * <li>{@link LockRules}' and {@link LifecycleRules}' key-file rules, under a profile that declares
 *     {@link Profile#lockSharesKeyFile()} (Qt 6.8's System V with platformSafe or native keys): a key file made for
 *     one key may take the inode of another key's unlinked file, and ftok then reaches that key's live segment and
 *     semaphore set; so every keyed op names {@link #KEY_FILES} and no two keys are independent;</li>
 * <li>the same for the lock's own key file ({@link Profile#lockKeyFileMayBeReused()}: Qt 6.4, Qt 6.8's legacy keys),
 *     which an owner's cleanHandle may unlink while others still have its set open (LockRules.droppedByRekey).</li>
 * </ul>
 *
 * @param names     {@code key:<name>} and {@code path:<socket>} names
 * @param processes processes this op brings into its process's part
 */
public record Ties(List<String> names, List<String> processes) {

    /** The name every keyed op shares under a profile whose key files may reach another key's objects. */
    public static final String KEY_FILES = "key-files";

    /** @param profile the profile the search runs under: what may tie two keys is the profile's */
    public static Ties of(Profile profile, ModelOp op) {
        List<String> names = new ArrayList<>(3);
        List<String> processes = new ArrayList<>(1);
        if (op.key() != null && !op.key().isEmpty()) {
            names.add(key(op.key()));
            NativeName.in(op.key()).ifPresent(n -> names.add(key(n.key())));
            if (profile.lockSharesKeyFile() || profile.lockKeyFileMayBeReused()) {
                names.add(KEY_FILES);
            }
        }
        if (op.args().path() != null) {
            names.add("path:" + op.args().path());
        }
        if (op.args().child() != null) {
            processes.add(op.args().child());
        }
        return new Ties(List.copyOf(names), List.copyOf(processes));
    }

    /** The partition's name of a key. */
    public static String key(String name) {
        return "key:" + name;
    }

    /**
     * Whether two key names of a history are one key to the rules: KeySpaceRules also matches a name that ends in
     * "|" plus the other, so those processes meet too.
     */
    public static boolean sameKey(String a, String b) {
        return a.endsWith("|" + b) || b.endsWith("|" + a);
    }
}
