package org.shmconform.engine;

import org.shmconform.engine.launch.SystemTools;
import org.shmconform.engine.launch.ToolRun;
import org.shmconform.engine.state.PrivateDirectory;
import java.io.IOException;
import java.time.Duration;

/**
 * User names to ids, as the system's user database says, through {@code id} taken from the system's root-owned
 * directories ({@link SystemTools}), never from the caller's PATH: the one place the harness asks.
 */
public final class Users {
    private Users() {
    }

    /** Uids asked for, by user name: an execution asks for its workers' ({@link ForeignNames}), and each ask starts {@code id}. */
    private static final java.util.concurrent.ConcurrentHashMap<String, Integer> UIDS = new java.util.concurrent.ConcurrentHashMap<>();

    /** The uid of {@code user}; null: the harness's own. */
    static int uid(String user) throws IOException {
        if (user == null) {
            return PrivateDirectory.myUid();
        }
        Integer known = UIDS.get(user);
        if (known == null) {
            known = id("-u", user);
            UIDS.put(user, known);
        }
        return known;
    }

    /** The primary gid of {@code user}. */
    static int gid(String user) throws IOException {
        return id("-g", user);
    }

    /** Whether the system knows {@code user}. */
    public static boolean exists(String user) {
        try {
            id("-u", user);
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static int id(String flag, String user) throws IOException {
        ToolRun r = ToolRun.of(Duration.ofSeconds(30), SystemTools.path("id"), flag, "--", user);
        String out = r.output().trim();
        if (!r.ok() || !out.matches("[0-9]{1,10}")) {
            throw new IOException("no user " + user + " here (id " + flag + " said: " + out + ")");
        }
        return Integer.parseInt(out);
    }
}
