package org.shmconform.model;

/**
 * The model's name of a segment (and of its lock): {@code <keySpace>@<namespace>|<key>}. The key space is the
 * backend family's ({@code qt-sysv}, {@code qt-posix}, ...), the namespace the identity its visibility follows (a
 * System V one also carries {@code #<tmpdir>}; a child namespace is written {@code parent/child}), the key what the
 * application gave. The space part never holds '|', so the first '|' ends it; the key may hold anything. This is
 * the one place that reads or writes the format: the rules and the checker's views ask it.
 *
 * @param space {@code <keySpace>@<namespace>}, or a bare key space where no namespace applies
 * @param key   the application's key
 */
public record ModelKey(String space, String key) {

    /** The key {@code key} in the worker's space. */
    public static ModelKey of(String space, String key) {
        return new ModelKey(space, key);
    }

    /** Reads a model key; a string without '|' is a space with an empty key. */
    public static ModelKey parse(String modelKey) {
        int bar = modelKey.indexOf('|');
        return bar < 0 ? new ModelKey(modelKey, "") : new ModelKey(modelKey.substring(0, bar), modelKey.substring(bar + 1));
    }

    /** The space of a key space in a namespace: {@code <keySpace>@<namespace>}. */
    public static String space(String keySpace, String namespace) {
        return keySpace + "@" + namespace;
    }

    /** The key space of a space or a model key ("qt-posix@ns|k", "qt-posix@ns", "qt-posix"): the part before '@'. */
    public static String keySpaceOf(String spaceOrKey) {
        String space = parse(spaceOrKey).space();
        int at = space.indexOf('@');
        return at < 0 ? space : space.substring(0, at);
    }

    /** The namespace part of a space ("@" and what follows it), or "" for a bare key space. */
    static String namespaceOf(String space) {
        int at = space.indexOf('@');
        return at < 0 ? "" : space.substring(at + 1);
    }

    /** Whether two model keys (or a key and a lock id "key#generation") are in one space. */
    public static boolean sameSpace(String a, String b) {
        return parse(a).space().equals(parse(b).space());
    }

    public String keySpace() {
        return keySpaceOf(space);
    }

    /** The same key in another key space, in this space's namespace (where a native name leads). */
    public ModelKey inKeySpace(String keySpace) {
        return new ModelKey(space(keySpace, namespaceOf(space)), key);
    }

    @Override
    public String toString() {
        return space + "|" + key;
    }
}
