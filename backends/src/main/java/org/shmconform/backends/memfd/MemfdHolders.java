package org.shmconform.backends.memfd;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.shmconform.backends.QtKeys;
import org.shmconform.backends.Sha1;

/**
 * What processes other than a run's hold at the run's memfd names: a memfd of such a name, which an attach would reopen
 * as the run's (it finds holders by their /proc links, {@link ProcFdScan}, and a memfd's name is whatever its maker
 * chose), and the claim on such a name ({@link AbstractSocketClaim}), which any user may bind once he has read its
 * address in /proc/net/unix, so that the run's creates and attaches of that key wait and fail.
 */
final class MemfdHolders {
    private static final Path PROC = Path.of("/proc");

    private MemfdHolders() {
    }

    /** {@link org.shmconform.spi.SharedMemoryBackend#heldOutside}, for both memfd columns. */
    static List<String> outside(String keyPrefix, Collection<String> keys, Set<Long> ours) {
        String memfdStart = "/memfd:" + MemfdSegment.PREFIX + keyPrefix;
        Map<String, String> claims = new HashMap<>(); // the claim's /proc/net/unix path -> the memfd name it claims
        for (String key : keys) {
            String name = QtKeys.platformSafeName(key, MemfdSegment.PREFIX);
            if (!name.isEmpty()) {
                claims.put("@" + AbstractSocketClaim.NAMESPACE + Sha1.hexOf(name), name);
            }
        }
        Map<String, String> claimBySocket = claimSockets(claims); // "socket:[inode]" -> memfd name
        List<String> found = new ArrayList<>();
        for (long pid : ProcFdScan.pids()) {
            if (ours.contains(pid)) {
                continue;
            }
            List<String> held = new ArrayList<>();
            try (DirectoryStream<Path> fds = Files.newDirectoryStream(PROC.resolve(pid + "/fd"))) {
                for (Path fd : fds) {
                    String target;
                    try {
                        target = Files.readSymbolicLink(fd).toString();
                    } catch (IOException | RuntimeException closedMeanwhile) {
                        continue;
                    }
                    if (target.startsWith(memfdStart)) {
                        held.add(target.substring(1, target.endsWith(" (deleted)") ? target.length() - 10 : target.length()));
                    } else if (claimBySocket.containsKey(target)) {
                        held.add("the claim on memfd:" + claimBySocket.get(target) + " (an abstract socket)");
                    }
                }
            } catch (IOException | RuntimeException unreadable) {
                continue; // gone, or not ours to read (root reads every process's)
            }
            if (!held.isEmpty() && !ours.contains(parentOf(pid))) { // a worker's spawned child inherits its memfd
                for (String what : held) {
                    found.add(what + ", held by pid " + pid + " (uid " + uidOf(pid) + "), no process of the execution");
                }
            }
        }
        return found;
    }

    /** A create or attach that waited for a name's claim for its whole patience (2 s) and gave up. */
    static boolean gaveUpWaiting(String errorString) {
        return errorString != null && errorString.contains(AbstractSocketClaim.NOT_HAD);
    }

    /** The sockets of this network namespace bound at one of {@code claims}'s paths, by their fd link. */
    private static Map<String, String> claimSockets(Map<String, String> claims) {
        Map<String, String> sockets = new HashMap<>();
        if (claims.isEmpty()) {
            return sockets;
        }
        try {
            // "Num RefCount Protocol Flags Type St Inode Path": an abstract path is shown with '@' for its NUL.
            for (String line : Files.readAllLines(PROC.resolve("net/unix"))) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 8 && claims.containsKey(f[7])) {
                    sockets.put("socket:[" + f[6] + "]", claims.get(f[7]));
                }
            }
        } catch (IOException | RuntimeException e) {
            // no /proc/net/unix here: no claim can be told
        }
        return sockets;
    }

    private static long parentOf(long pid) {
        try {
            return Long.parseLong(org.shmconform.backends.host.ProcText.statField(Files.readString(PROC.resolve(pid + "/stat")), 4));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static String uidOf(long pid) {
        try {
            return String.valueOf(Files.getAttribute(PROC.resolve(Long.toString(pid)), "unix:uid", LinkOption.NOFOLLOW_LINKS));
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }
}
