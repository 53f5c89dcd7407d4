package org.shmconform.backends.sysv;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.shmconform.backends.host.ProcText;
import org.shmconform.backends.linux.LibC;

/**
 * The System V segments and semaphore sets of this IPC namespace, as /proc/sysvipc lists them: key,
 * id, creator uid and change time, which reapers compare with what they recorded before removing.
 */
public final class SysVObjects {
    /** kind "shm" or "sem"; ctime in epoch seconds; cuid the creator's uid. */
    public record Obj(String kind, int id, int key, int cuid, long ctime) {
    }

    /**
     * A semaphore set as /proc/sysvipc/sem lists it: its number of semaphores, and the time of its last semop on any
     * of them ({@code otime}, epoch seconds, 0 if none yet) besides its change time.
     */
    public record SemSet(int id, int key, int nsems, int cuid, long otime, long ctime) {
        public Obj obj() {
            return new Obj("sem", id, key, cuid, ctime);
        }
    }

    /**
     * A segment as /proc/sysvipc/shm lists it (one row is read with the segment locked: its fields agree): its creator
     * ({@code cpid}) and the process of its last attach or detach ({@code lpid}, 0 if none yet), as pids in the reader's
     * pid namespace (0 for a process that namespace cannot see), its attach count, and the times (epoch seconds, rounded
     * down) of its last attach ({@code atime}), last detach ({@code dtime}) and last change ({@code ctime}: its creation,
     * then each IPC_SET or IPC_RMID). The kernel sets lpid and atime together on every attach (a fork's copy of an
     * attachment too), lpid and dtime together on every detach (an exit's too).
     */
    public record Segment(int id, int key, int cpid, int lpid, long nattch, int cuid, long atime, long dtime, long ctime) {
        public Obj obj() {
            return new Obj("shm", id, key, cuid, ctime);
        }

        /** The time of its last attach or detach, the one that set lpid; 0 if it never had one. */
        public long lastAttachOrDetach() {
            return Math.max(atime, dtime);
        }
    }

    private SysVObjects() {
    }

    /** Every segment of this IPC namespace. */
    public static List<Segment> segments() {
        try {
            return readSegments();
        } catch (IOException e) {
            return List.of(); // no System V IPC here: nothing to list
        }
    }

    /** Every segment of this IPC namespace; a listing that cannot be read is an error, not an empty namespace. */
    public static List<Segment> readSegments() throws IOException {
        List<Segment> all = new ArrayList<>();
        for (String[] f : strictRows("/proc/sysvipc/shm")) {
            all.add(new Segment(Integer.parseInt(f[1]), (int) Long.parseLong(f[0]), Integer.parseInt(f[4]), Integer.parseInt(f[5]),
                    Long.parseLong(f[6]), Integer.parseInt(f[9]), Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[13])));
        }
        return all;
    }

    /** Every semaphore set of this IPC namespace. */
    public static List<SemSet> semaphoreSets() {
        try {
            return readSemaphoreSets();
        } catch (IOException e) {
            return List.of(); // no System V IPC here: nothing to list
        }
    }

    /** Every semaphore set of this IPC namespace; a listing that cannot be read is an error, not an empty namespace. */
    public static List<SemSet> readSemaphoreSets() throws IOException {
        List<SemSet> all = new ArrayList<>();
        for (String[] f : strictRows("/proc/sysvipc/sem")) {
            all.add(new SemSet(Integer.parseInt(f[1]), (int) Long.parseLong(f[0]), Integer.parseInt(f[3]), Integer.parseInt(f[6]), Long.parseLong(f[8]),
                    Long.parseLong(f[9])));
        }
        return all;
    }

    /**
     * semctl(GETPID) of the set's first semaphore: the pid, in this pid namespace, of the last process that changed it
     * (semop, or SETVAL); -1 if the set is gone or unreadable. The number only: that process may be gone and the
     * number given to another since.
     */
    public static int lastOperator(int id) {
        return LibC.INSTANCE.semctl(id, 0, LibC.GETPID);
    }

    public static List<Obj> list() {
        List<Obj> all = new ArrayList<>();
        for (String[] f : rows("/proc/sysvipc/shm")) {
            all.add(new Obj("shm", Integer.parseInt(f[1]), (int) Long.parseLong(f[0]), Integer.parseInt(f[9]), Long.parseLong(f[13])));
        }
        for (String[] f : rows("/proc/sysvipc/sem")) {
            all.add(new Obj("sem", Integer.parseInt(f[1]), (int) Long.parseLong(f[0]), Integer.parseInt(f[6]), Long.parseLong(f[9])));
        }
        return all;
    }

    /** IPC_RMID by id: the id names one object for its whole life (the kernel never reuses it while it lives). */
    public static boolean remove(Obj o) {
        return "shm".equals(o.kind()) ? LibC.INSTANCE.shmctl(o.id(), LibC.IPC_RMID, null) == 0
                : LibC.INSTANCE.semctl(o.id(), 0, LibC.IPC_RMID) == 0;
    }

    private static List<String[]> rows(String file) {
        try {
            return strictRows(file);
        } catch (IOException e) {
            return List.of(); // no System V IPC here: nothing to list
        }
    }

    private static List<String[]> strictRows(String file) throws IOException {
        List<String[]> rows = new ArrayList<>();
        List<String> lines = ProcText.lines(Path.of(file));
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            rows.add(ProcText.fields(line, 0));
        }
        return rows;
    }
}
