package org.shmconform.engine;

import org.shmconform.engine.state.PrivateDirectory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** User names to uids, as the system's user database says (through {@code /usr/bin/id}, a root-owned program). */
final class Users {
    private Users() {
    }

    /** The uid of {@code user}; null: the harness's own. */
    static int uid(String user) throws IOException {
        if (user == null) {
            return PrivateDirectory.myUid();
        }
        Process p = new ProcessBuilder("/usr/bin/id", "-u", "--", user).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0 || !out.matches("[0-9]{1,10}")) {
                throw new IOException("no uid for user " + user + ": " + out);
            }
            return Integer.parseInt(out);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while asking the uid of " + user, e);
        }
    }
}
