package org.shmconform.spi;

import java.util.Optional;

/**
 * A schedule's "the native name that key space S gives key k": the way a schedule hands a Qt object
 * the exact kernel name a non-Qt program uses (seed N17: "first creating a default shared memory with
 * QSharedMemory and then setting a native key with setNativeKey"). A schedule cannot write that name
 * itself: the run's prefix, and for System V the worker's TMPDIR, are only known when it runs. So the
 * key is written {@code native-name:<keySpace>:<logical key>}; the engine sends the worker the name,
 * and the history keeps this form, from which the model knows that the object took a native key and
 * which key space's object it names.
 *
 * @param keySpace a key space as backends declare it ({@code qt-posix}, {@code qt-sysv}): the naming scheme
 * @param key      the logical key, which the engine prefixes with the run's id before naming it
 */
public record NativeName(String keySpace, String key) {
    private static final String FORM = "native-name:";

    public NativeName {
        if (keySpace == null || keySpace.isEmpty() || keySpace.contains(":") || key == null) {
            throw new IllegalArgumentException("a native name needs a key space without ':' and a key: " + keySpace + ", " + key);
        }
    }

    /** The key a schedule step carries for this native name. */
    public String asKey() {
        return FORM + keySpace + ":" + key;
    }

    /** {@code native-name:<keySpace>:<key>} as a step's key. */
    public static String of(String keySpace, String key) {
        return new NativeName(keySpace, key).asKey();
    }

    /** The native name a key stands for, or empty for an ordinary key. */
    public static Optional<NativeName> in(String key) {
        if (key == null || !key.startsWith(FORM)) {
            return Optional.empty();
        }
        int colon = key.indexOf(':', FORM.length());
        if (colon <= FORM.length()) {
            return Optional.empty();
        }
        return Optional.of(new NativeName(key.substring(FORM.length(), colon), key.substring(colon + 1)));
    }
}
