package org.shmconform.backends.host;

import com.sun.jna.Native;
import java.net.URISyntaxException;
import java.nio.file.Path;

/** Where the native-access library (JNA) the backends call through is loaded from. */
public final class NativeAccess {
    private NativeAccess() {
    }

    /**
     * The jar (or class directory) JNA is loaded from: a worker needs it on its class path, and a
     * container image's libjnidispatch.so must match exactly this version.
     */
    public static Path libraryJar() {
        try {
            return Path.of(Native.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
