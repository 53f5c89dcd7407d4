package org.shmconform.backends;

import java.nio.file.Path;

/**
 * Qt 6.4's key mangling ({@code QSharedMemoryPrivate::makePlatformSafeKey}, P1/P2): a prefix, then
 * only the ASCII letters of the key, then the lowercase hex SHA-1 of the key's UTF-8 bytes. Using
 * the same names is what lets a Java process and a real Qt process meet on one segment.
 */
public final class QtKeys {
    public static final String SHARED_MEMORY_PREFIX = "qipc_sharedmemory_";
    public static final String SYSTEM_SEMAPHORE_PREFIX = "qipc_systemsem_";

    private QtKeys() {
    }

    /** prefix + [A-Za-z] of key + sha1hex(utf8(key)); empty for an empty key, as in Qt. */
    public static String platformSafeName(String key, String prefix) {
        if (key == null || key.isEmpty()) {
            return "";
        }
        StringBuilder name = new StringBuilder(prefix);
        for (char c : key.toCharArray()) {
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
                name.append(c);
            }
        }
        return name.append(Sha1.hexOf(key)).toString();
    }

    /**
     * Qt's temp directory, {@code QDir::tempPath()}: $TMPDIR if set and non-empty, else /tmp,
     * without a trailing slash.
     */
    public static Path qtTempDir() {
        String tmp = System.getenv("TMPDIR");
        if (tmp == null || tmp.isEmpty()) {
            tmp = "/tmp";
        }
        while (tmp.length() > 1 && tmp.endsWith("/")) {
            tmp = tmp.substring(0, tmp.length() - 1);
        }
        return Path.of(tmp);
    }

    /** The System V key file Qt 6.4 ftok()s: {@code <tempDir>/<platformSafeName>}. */
    public static Path systemVKeyFile(Path tempDir, String key, String prefix) {
        return tempDir.resolve(platformSafeName(key, prefix));
    }

    /** The POSIX name Qt 6.4 built with QT_POSIX_IPC passes to shm_open/sem_open: "/" + name. */
    public static String posixName(String key, String prefix) {
        String name = platformSafeName(key, prefix);
        return name.isEmpty() ? "" : "/" + name;
    }

    /** The letters of a key as they appear in every native name, for prefix matching by reapers. */
    public static String lettersOf(String key) {
        return platformSafeName(key, "").replaceFirst("[0-9a-f]{40}$", "");
    }

}
