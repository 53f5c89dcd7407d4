package org.shmconform.backends.host;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Who holds an open-file-description lock on a file, for a line that tells a user why a process waits: the kernel shows
 * such a lock's owner as pid -1 in /proc/locks (it belongs to an open file description, not a process), so the holder is
 * found the other way round, as the process with a descriptor of the file whose fdinfo lists an OFDLCK lock on its
 * inode. Only read: nothing is opened through a descriptor's link, and a process that ends meanwhile is passed over.
 */
public final class OfdLockHolders {
    private static final Path PROC = Path.of("/proc");
    private static final int MAX_COMMAND = 160;

    private OfdLockHolders() {
    }

    /** A holder: its pid, and its command line as /proc shows it (shortened), or "" when it is gone or unreadable. */
    public record Holder(long pid, String command) {
        public String describe() {
            return "pid " + pid + (command.isEmpty() ? "" : " (" + command + ")");
        }
    }

    /** The processes (by thread-group id) with an open file description of {@code file} that holds an OFD lock on it. */
    public static List<Holder> of(Path file) {
        Optional<String> inode = inodeOf(file);
        List<Holder> holders = new ArrayList<>();
        if (inode.isEmpty()) {
            return holders;
        }
        String target = file.toAbsolutePath().normalize().toString();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(PROC, p -> isNumber(p.getFileName().toString()))) {
            for (Path proc : procs) {
                if (holdsLockThroughADescriptorOf(proc, target, inode.get())) {
                    long pid = Long.parseLong(proc.getFileName().toString());
                    holders.add(new Holder(pid, commandOf(proc)));
                }
            }
        } catch (IOException e) {
            return holders; // /proc unreadable: nobody to name
        }
        return holders;
    }

    private static boolean holdsLockThroughADescriptorOf(Path proc, String target, String inode) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
            for (Path fd : fds) {
                if (target.equals(ProcText.link(fd)) && hasOfdLockOn(proc.resolve("fdinfo").resolve(fd.getFileName()), inode)) {
                    return true;
                }
            }
        } catch (IOException | SecurityException e) {
            return false; // gone, or not ours to read
        }
        return false;
    }

    /** fdinfo's lines {@code lock:\t1: OFDLCK ADVISORY WRITE -1 fe:00:2146564 0 0} list this description's locks. */
    static boolean hasOfdLockOn(Path fdinfo, String inode) {
        try {
            for (String line : ProcText.lines(fdinfo)) {
                if (line.startsWith("lock:")) {
                    String[] f = ProcText.fields(line.substring("lock:".length()), 0);
                    if (f.length > 5 && f[1].equals("OFDLCK") && f[5].endsWith(":" + inode)) {
                        return true;
                    }
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    private static Optional<String> inodeOf(Path file) {
        try {
            Object ino = Files.getAttribute(file, "unix:ino", LinkOption.NOFOLLOW_LINKS);
            return Optional.of(String.valueOf(ino));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static String commandOf(Path proc) {
        try {
            byte[] b = Files.readAllBytes(proc.resolve("cmdline"));
            int n = b.length;
            while (n > 0 && b[n - 1] == 0) {
                n--;
            }
            String s = new String(b, 0, n, StandardCharsets.UTF_8).replace('\0', ' ');
            return s.length() <= MAX_COMMAND ? s : s.substring(0, MAX_COMMAND) + "...";
        } catch (IOException e) {
            return "";
        }
    }

    private static boolean isNumber(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (!Character.isDigit(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
