package org.shmconform.backends.host;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.io.IOException;
import java.io.InputStream;
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

    /** The file name of JNA's native part (libjnidispatch.so on Linux), as JNA looks for it on jna.boot.library.path. */
    public static String dispatchLibraryName() {
        return System.mapLibraryName("jnidispatch");
    }

    /**
     * JNA's native part for this platform, as the JNA jar carries it: what a worker would unpack at every start, for the
     * harness to write once where the worker may load it from ({@code -Djna.boot.library.path}); null where it carries none.
     */
    public static byte[] dispatchLibrary() throws IOException {
        try (InputStream in = Native.class.getResourceAsStream("/com/sun/jna/" + Platform.RESOURCE_PREFIX + "/" + dispatchLibraryName())) {
            return in == null ? null : in.readAllBytes();
        }
    }
}
