package org.shmconform.spi;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A directory a backend puts named objects in (seeds M6, L1, L2, L4: where a file-backed segment
 * lives decides whether the kernel writes it back to storage), and what a worker measured of it.
 *
 * @param what      what the backend keeps there, in a few words ("segment files", "key files ($TMPDIR)")
 * @param directory the directory, absolute
 */
public record Placement(String what, Path directory) {
    public Placement {
        Objects.requireNonNull(what, "what");
        Objects.requireNonNull(directory, "directory");
        if (what.contains(";") || what.contains(":") || what.isBlank()) {
            throw new IllegalArgumentException("a placement's description has no ';' or ':' and is not blank: " + what);
        }
    }

    /**
     * A placement with its filesystem type as statfs(2) reported it in the worker's own mount namespace.
     *
     * @param fileSystem the f_type's name ("tmpfs", "ext4", "xfs", "overlayfs", ...; "0x..." for an unknown one),
     *                   or null when it could not be measured
     * @param ramBacked  whether the filesystem keeps its files in memory only (tmpfs, ramfs); null when unmeasured
     * @param why        why it could not be measured (the errno), else null
     */
    public record Measured(Placement placement, String fileSystem, Boolean ramBacked, String why) {
        private static final Pattern ENTRY = Pattern.compile(
                "(?<what>[^:;]+): (?<dir>/[^;]*?) is (?:(?<fs>\\S+) \\((?<kind>RAM|disk)-backed\\)|not measured \\((?<why>[^)]*)\\))");

        public static Measured of(Placement p, String fileSystem, boolean ramBacked) {
            return new Measured(p, fileSystem, ramBacked, null);
        }

        public static Measured unmeasured(Placement p, String why) {
            return new Measured(p, null, null, why);
        }

        /** "segment files: /dev/shm is tmpfs (RAM-backed)", the form a history's value carries. */
        @Override
        public String toString() {
            String head = placement.what() + ": " + placement.directory() + " is ";
            return fileSystem == null ? head + "not measured (" + why + ")"
                    : head + fileSystem + " (" + (Boolean.TRUE.equals(ramBacked) ? "RAM" : "disk") + "-backed)";
        }

        /** Every measured placement as one value: entries joined by "; " (empty: the backend names no directory). */
        public static String encode(List<Measured> all) {
            return String.join("; ", all.stream().map(Measured::toString).toList());
        }

        /** The inverse of {@link #encode}; a value not of that form gives an IllegalArgumentException. */
        public static List<Measured> decode(String value) {
            List<Measured> out = new ArrayList<>();
            if (value == null || value.isEmpty()) {
                return out;
            }
            for (String part : value.split("; ")) {
                Matcher m = ENTRY.matcher(part);
                if (!m.matches()) {
                    throw new IllegalArgumentException("not a measured placement: " + part);
                }
                Placement p = new Placement(m.group("what"), Path.of(m.group("dir")));
                out.add(m.group("fs") == null ? unmeasured(p, m.group("why"))
                        : of(p, m.group("fs"), "RAM".equals(m.group("kind"))));
            }
            return out;
        }
    }
}
