package org.shmconform.engine.launch;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.shmconform.backends.host.Fifo;
import org.shmconform.backends.host.HostIds;
import org.shmconform.backends.host.Pidfd;
import org.shmconform.backends.host.ProcText;

/**
 * Keeps a local worker's pid its own after the worker is gone, until the harness has looked at what it left: what a
 * worker SIGKILLed by another hand (the OOM killer, an operator) made inside its last op was seen by no reading while
 * it lived, and once Java's reaper has waited for it, its pid may be given to any new process, so a segment's creator or
 * a set's last operator equal to that number proved nothing (such objects outlived the run:
 * ObjectsOfAWorkerKilledFromOutsideTest). A pidfd does not prevent that: the kernel frees the number when the process
 * is reaped, whoever holds a pidfd on it.
 *
 * <p>What does is a process group. The worker is started as {@code setsid sh -c 'cat <FIFO ... & exec WORKER'}: the
 * worker (the shell, exec'd in place) leads a new session and process group whose id is its pid, and first leaves a
 * {@code cat} in that group, reading a FIFO whose only writer is the harness (opened before the start). The kernel
 * gives a number to no new process while a process group of that number has a member (POSIX: a process group id is
 * not reused while the group lives; Linux frees a pid only once no task uses it as pid, process group or session), and
 * an exec'd {@code cat} never changes its group (nobody else may: {@code setpgid} on a child that has exec'd is refused).
 * So while the pinned helper lives, the worker's pid is the worker's, dead or alive: {@link #holds}. The helper ends when
 * the harness closes the FIFO ({@link #close}, once the worker's last look is taken), or dies, which closes it too.
 * A shell whose harness died before it opened the FIFO would wait in that open, its worker not yet exec'd: it still
 * carries the worker's command line and environment, so the next run's reaper ends it (LeftoverWorkers).
 *
 * <p>A worker of another user is held so too: the wrapper comes before setpriv's user switch, so the helper is the
 * harness's, and its shell opened the FIFO (in the run's 0700 directory, {@link WorkerCommand#holdDirectory}) before the
 * switch. The worker, its parent, in its group and session, may neither signal nor trace it (kill(2) and ptrace(2) want
 * its uid), nor move it to another group (setpgid on a child that has exec'd is refused); the helper ignores what a
 * terminal the worker made its controlling one would send the group. {@link #pin} takes as the helper only a
 * {@code cat} (or the shell's subshell that is about to become it) whose uids are all the harness's and which holds
 * this FIFO: never a process the worker made, which could leave the group while the hold vouched for it.
 */
public final class PidHold implements AutoCloseable {
    /**
     * $0 the FIFO, $1 cat's absolute path, the rest the worker's command. The helper, an asynchronous list of a shell
     * without job control, ignores SIGINT and SIGQUIT (POSIX); the brace group, a subshell of its own, also has it ignore
     * the other signals a terminal sends a process group (SIGHUP, SIGTSTP, SIGTTIN, SIGTTOU): the worker leads the session
     * and could make a terminal its controlling one, whose signals need no permission to reach its group; a helper
     * stopped so would be sent SIGHUP once the worker's death orphaned the group. The worker's own dispositions stay as
     * they were: the traps are the subshell's alone. The shell opens the FIFO itself, on descriptor 3, before it forks the
     * helper, and closes it in the worker's exec: the helper holds the FIFO from the moment it exists (on 3, then on its
     * standard input), so the pin at the worker's hello finds it whether or not it has come to exec cat yet. Opened in the
     * helper after the fork, a Qt worker exec'd directly (hello in a few ms) was killed inside its create, in a verify
     * beside a run, before its helper could be pinned, and what it made outlived the schedule.
     */
    private static final String SCRIPT = "c=$1; shift; exec 3<\"$0\"; { trap '' HUP TSTP TTIN TTOU; exec \"$c\" <&3 3<&-; }"
            + " >/dev/null 2>&1 & exec \"$@\" 3<&-";
    private static final SecureRandom RANDOM = new SecureRandom();
    private final Path fifo;
    /** The FIFO's device and inode: what the helper must hold (on descriptor 3, then on its standard input). */
    private final Object fifoDevice;
    private final Object fifoInode;
    private final FileChannel lifeline;
    private Pidfd helper;
    private long workerPid = -1;
    private boolean closed;

    private PidHold(Path fifo, Object fifoDevice, Object fifoInode, FileChannel lifeline) {
        this.fifo = fifo;
        this.fifoDevice = fifoDevice;
        this.fifoInode = fifoInode;
        this.lifeline = lifeline;
    }

    /**
     * A FIFO in {@code dir} (a directory of the run's, the harness's user's), opened by the harness before the worker
     * starts: read-write, so the open waits for nobody.
     */
    static PidHold in(Path dir) throws IOException {
        return in(dir, false);
    }

    /**
     * As {@link #in(Path)}; {@code privateOnly}: {@code dir} must also be closed to every other user (0700), as the FIFO of
     * a worker of another user must be: the helper's shell, still root's, opens it before the user switch, and nobody
     * else may reach it (its name is on the shell's command line, which anyone can read for a moment).
     */
    static PidHold in(Path dir, boolean privateOnly) throws IOException {
        checkDirectory(dir, privateOnly);
        StringBuilder letters = new StringBuilder();
        for (int i = 0; i < 16; i++) {
            letters.append((char) ('a' + RANDOM.nextInt(26)));
        }
        Path fifo = dir.resolve(".pid-hold-" + letters);
        Fifo.make(fifo, -1);
        try {
            FileChannel lifeline = FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
            try {
                return new PidHold(fifo, Files.getAttribute(fifo, "unix:dev", LinkOption.NOFOLLOW_LINKS),
                        Files.getAttribute(fifo, "unix:ino", LinkOption.NOFOLLOW_LINKS), lifeline);
            } catch (IOException | RuntimeException e) {
                lifeline.close();
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(fifo);
            throw e;
        }
    }

    /**
     * {@code dir}: a directory (no link) of the harness's user, writable by nobody else, and with {@code privateOnly} open
     * to nobody else at all; else no FIFO is made there.
     */
    private static void checkDirectory(Path dir, boolean privateOnly) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(dir + " is no directory");
        }
        int owner = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) Files.getAttribute(dir, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        if (owner != HostIds.uid() || (mode & (privateOnly ? 0077 : 0022)) != 0) {
            throw new IOException(dir + " (uid " + owner + ", mode " + Integer.toOctalString(mode & 07777) + ") is not the harness's"
                    + (privateOnly ? " alone (0700)" : " and writable by it alone"));
        }
    }

    /** The worker's command, started through the hold: the pid of the process started is the worker's. */
    List<String> wrap(List<String> worker) {
        List<String> argv = new ArrayList<>(List.of(SystemTools.path("setsid"), SystemTools.path("sh"), "-c", SCRIPT, fifo.toString(),
                SystemTools.path("cat")));
        argv.addAll(worker);
        return argv;
    }

    /**
     * Pins the helper of the worker {@code pid}, once: a child of it, exec'd as {@code cat}, in the process group and
     * session {@code pid}. Call it only while {@code workerIsIt} (asked after the look) says the pid is the worker's.
     *
     * @return whether the helper is pinned
     */
    public synchronized boolean pin(long pid, BooleanSupplier workerIsIt) {
        if (helper != null || closed) {
            return helper != null && workerPid == pid;
        }
        String children;
        try {
            children = Files.readString(Path.of("/proc", Long.toString(pid), "task", Long.toString(pid), "children")).trim();
        } catch (IOException e) {
            return false;
        }
        for (String child : children.isEmpty() ? new String[0] : children.split(" ")) {
            Pidfd p = Pidfd.open(Long.parseLong(child));
            if (p == null) {
                continue;
            }
            boolean itsHelper = false;
            try {
                String stat = Files.readString(Path.of("/proc", child, "stat"));
                String p4 = ProcText.statField(stat, 4);
                String p5 = ProcText.statField(stat, 5);
                String p6 = ProcText.statField(stat, 6);
                String self = Long.toString(pid);
                // The shell's forked subshell, until it has exec'd cat (it holds the FIFO from its fork on), named as the
                // shell's program is (sh's real path: dash here).
                itsHelper = (stat.contains(" (cat) ") || stat.contains(" (" + shellName() + ") ")) && self.equals(p4) && self.equals(p5) && self.equals(p6)
                        && readsTheFifo(child) && ownedByTheHarness(child);
            } catch (IOException | RuntimeException e) {
                // gone meanwhile
            }
            // Read while the pidfd's process lived (so the stat was its own) and while the pid was the worker's.
            if (itsHelper && !p.exited() && workerIsIt.getAsBoolean()) {
                helper = p;
                workerPid = pid;
                return true;
            }
            p.close();
        }
        return false;
    }

    /** The name the kernel gives the shell's processes: its program's real file name (SystemTools resolves the link). */
    private static String shellName() {
        return Path.of(SystemTools.path("sh")).getFileName().toString();
    }

    /**
     * Whether process {@code child} holds this hold's FIFO, on descriptor 3 (its shell's, inherited at the fork) or on its
     * standard input (once it has exec'd cat): opened by the shell that started the worker, not by a process the worker
     * made (the FIFO's directory is the harness's; a worker of another user cannot open it), which could leave the group
     * while the hold took it for its helper.
     */
    private boolean readsTheFifo(String child) throws IOException {
        // 3 first: the subshell moves the FIFO to 0 (dup2) before it closes 3, so a 3 found gone means a 0 already moved;
        // looked at the other way round, a look at 0 just before the dup2 and at 3 just after the close found neither
        // (PidHoldTest.theHelperIsPinnedAtOnceWhenTheWorkerHasExecd failed so once in some 160 starts; 0 in 100 since).
        for (String fd : new String[] {"3", "0"}) {
            Path in = Path.of("/proc", child, "fd", fd);
            try {
                if (fifoInode.equals(Files.getAttribute(in, "unix:ino")) && fifoDevice.equals(Files.getAttribute(in, "unix:dev"))) {
                    return true;
                }
            } catch (IOException e) {
                // no such descriptor
            }
        }
        return false;
    }

    /**
     * Whether every uid of process {@code child} (real, effective, saved, file system) is the harness's: a helper a worker
     * of another user can neither signal nor trace (kill(2) and ptrace(2) ask for its uid), hence can neither end nor move.
     */
    private static boolean ownedByTheHarness(String child) throws IOException {
        String me = Integer.toString(HostIds.uid());
        for (String line : Files.readAllLines(Path.of("/proc", child, "status"))) {
            if (line.startsWith("Uid:")) {
                String[] ids = line.substring(4).trim().split("\\s+");
                return ids.length == 4 && java.util.Arrays.stream(ids).allMatch(me::equals);
            }
        }
        return false;
    }

    /** Whether {@code pid} is the pinned helper's, which still lives (a child of the worker's that is the harness's). */
    public synchronized boolean isItsHelper(long pid) {
        return helper != null && !closed && helper.pid() == pid && !helper.exited();
    }

    /** The pid whose helper is pinned, or -1. */
    public synchronized long pinnedPid() {
        return workerPid;
    }

    /**
     * Whether the pid {@link #pin pinned} has been the worker's from the pinning until now, dead or alive: its helper, which
     * keeps the worker's process group (hence the number) in use, has not exited. Ask it after the readings it vouches for.
     */
    public synchronized boolean holds() {
        return helper != null && !closed && !helper.exited();
    }

    /** Lets the helper go (it reads end of file and exits) and removes the FIFO. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            lifeline.close();
        } catch (IOException e) {
            // closed already
        }
        if (helper != null) {
            helper.close();
        }
        try {
            Files.deleteIfExists(fifo);
        } catch (IOException e) {
            // the run's share directory goes with the run
        }
    }
}
