package org.shmconform.backends.host;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the kernel's text files (/proc/sysvipc/*, /proc/PID/maps, status, fdinfo) the way the harness reads them
 * after every schedule: the whole file in one read into bytes, cut into lines and fields by hand. In a qt fuzz,
 * {@code Files.readAllLines} and {@code String.split("\\s+")} on such files were 16 % of the harness's CPU samples
 * (perf, cpu-clock; the kernel's making of the text about 3.5 of them): a reader, a charset decoder and a regex per
 * file and line, for files of a few kilobytes.
 */
public final class ProcText {
    private ProcText() {
    }

    /** The file's lines (UTF-8; a path in maps may carry any byte), without their line ends (the kernel ends them with \n only). */
    public static List<String> lines(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file); // a /proc file's size reads as 0: read to the end of the file
        List<String> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < b.length; i++) {
            if (b[i] == '\n') {
                lines.add(new String(b, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        if (start < b.length) {
            lines.add(new String(b, start, b.length - start, StandardCharsets.UTF_8));
        }
        return lines;
    }

    /**
     * The line's fields as {@code line.trim().split("\\s+", limit)} gives them (limit 0: every field): separated by
     * runs of white space, the last of {@code limit} fields the rest of the line as it is, trailing white space cut.
     */
    public static String[] fields(String line, int limit) {
        int end = line.length();
        while (end > 0 && line.charAt(end - 1) <= ' ') {
            end--;
        }
        int i = 0;
        while (i < end && line.charAt(i) <= ' ') {
            i++;
        }
        if (i == end) {
            return new String[] {""};
        }
        List<String> fields = new ArrayList<>();
        while (i < end) {
            if (limit > 0 && fields.size() == limit - 1) {
                fields.add(line.substring(i, end));
                break;
            }
            int j = i;
            while (j < end && !isSpace(line.charAt(j))) {
                j++;
            }
            fields.add(line.substring(i, j));
            while (j < end && isSpace(line.charAt(j))) {
                j++;
            }
            i = j;
        }
        return fields.toArray(new String[0]);
    }

    /**
     * The children of every thread of process {@code pid} now, from /proc/PID/task/TID/children (Linux 3.5+,
     * CONFIG_PROC_CHILDREN); empty if it has none or is gone (a thread that ends while it is read is skipped).
     */
    public static List<Long> children(long pid) {
        List<Long> children = new ArrayList<>();
        for (long tid : tasks(pid)) {
            Path list = Path.of("/proc", Long.toString(pid), "task", Long.toString(tid), "children");
            try {
                for (String child : fields(new String(Files.readAllBytes(list), StandardCharsets.US_ASCII), 0)) {
                    if (!child.isEmpty()) {
                        children.add(Long.parseLong(child));
                    }
                }
            } catch (NoSuchFileException gone) {
                // the thread ended while we looked
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + list + ": " + e.getMessage(), e);
            }
        }
        return children;
    }

    /** The ids of process {@code pid}'s threads now (/proc/PID/task); empty if it is gone. */
    public static List<Long> tasks(long pid) {
        Path dir = Path.of("/proc", Long.toString(pid), "task");
        List<Long> tids = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path e : entries) {
                tids.add(Long.parseLong(e.getFileName().toString()));
            }
        } catch (NoSuchFileException gone) {
            return List.of();
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        return tids;
    }

    /** What the link at {@code path} names (a /proc/PID/fd/N entry: "pipe:[inode]", a file's path); null if unreadable or gone. */
    public static String link(Path path) {
        try {
            return Files.readSymbolicLink(path).toString();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Field {@code n} of a /proc/PID/stat (or task stat) line, numbered as proc(5) numbers them (3: the state, 22: the
     * start time in clock ticks since boot), counted after the command name, which is in parentheses and may itself
     * hold spaces and ") "; null if the line has no such field.
     */
    public static String statField(String stat, int n) {
        int close = stat.lastIndexOf(')');
        if (close < 0 || n < 3) {
            return null;
        }
        int i = close + 2; // field 3 starts after ") "
        for (int field = 3; field < n; field++) {
            i = stat.indexOf(' ', i);
            if (i < 0) {
                return null;
            }
            i++;
        }
        if (i >= stat.length()) {
            return null;
        }
        int end = i;
        while (end < stat.length() && stat.charAt(end) != ' ' && stat.charAt(end) != '\n') {
            end++;
        }
        return end == i ? null : stat.substring(i, end);
    }

    /** What {@code \s} matches: space, tab, line feed, vertical tab, form feed, carriage return. */
    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
    }
}
