package org.shmconform.backends.host;

import com.sun.jna.Function;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import org.shmconform.backends.linux.LibC;

/**
 * A child process for {@link KernelWaitTest}: prints "tid resource" and then blocks its main thread
 * in one real kernel wait: {@code semop} on a fresh System V semaphore of value 0, {@code F_OFD_SETLKW}
 * on a file another open file description of its own has locked, {@code sem_wait} on a fresh POSIX
 * named semaphore of value 0, or a JVM park (a futex on anonymous memory, which is no lock wait).
 * The test removes the semaphore it reports after killing the child.
 */
public final class BlockingChild {
    private BlockingChild() {
    }

    public static void main(String[] args) throws Exception {
        LibC c = LibC.INSTANCE;
        long tid = Function.getFunction("c", "gettid").invokeInt(new Object[0]);
        switch (args[0]) {
            case "semop" -> {
                int id = c.semget(0 /* IPC_PRIVATE */, 1, LibC.IPC_CREAT | 0600);
                say(tid, Integer.toString(id));
                Memory sop = new Memory(6); // struct sembuf { u16 sem_num; s16 sem_op; s16 sem_flg; }
                sop.clear();
                sop.setShort(2, (short) -1);
                c.semop(id, sop, 1);
            }
            case "ofd" -> {
                int holder = c.open(args[1], LibC.O_RDWR);
                int waiter = c.open(args[1], LibC.O_RDWR);
                byte[] flock = new byte[32]; // l_type F_WRLCK, SEEK_SET, start 0, len 0 (whole file), pid 0
                flock[0] = (byte) LibC.F_WRLCK;
                if (c.fcntl(holder, LibC.F_OFD_SETLK, (Object) flock) != 0) {
                    throw new IllegalStateException("F_OFD_SETLK failed");
                }
                say(tid, args[1]);
                c.fcntl(waiter, LibC.F_OFD_SETLKW, (Object) flock);
            }
            case "semwait" -> {
                Pointer sem = c.sem_open(args[1], LibC.O_CREAT | LibC.O_EXCL, 0600, 0);
                say(tid, args[1]);
                c.sem_wait(sem);
            }
            case "park" -> {
                say(tid, "-");
                Thread.sleep(Long.MAX_VALUE);
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
        System.exit(3); // never: the test kills the child while it waits
    }

    private static void say(long tid, String resource) {
        System.out.println(tid + " " + resource);
        System.out.flush();
    }
}
