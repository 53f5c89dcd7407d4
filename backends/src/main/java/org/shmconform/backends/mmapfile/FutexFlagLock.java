package org.shmconform.backends.mmapfile;

import com.sun.jna.Pointer;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.shmconform.backends.linux.Errno;
import org.shmconform.backends.linux.LibC;
import org.shmconform.backends.linux.LockCalls;

/**
 * The seed's "atomic integer at a fixed offset in the segment": a 32-bit word at header offset 0,
 * 0 free, 1 taken, 2 taken with sleepers (Drepper's "Futexes Are Tricky", mutex 2). Taken with
 * compare-and-set through the JDK's atomic access to the mapping (a VarHandle over the direct
 * buffer JNA gives for the mapped page), slept on with FUTEX_WAIT on the shared file mapping
 * (no FUTEX_PRIVATE_FLAG: the kernel keys the wait on the file's page, so a wake from another
 * process reaches it, and the harness's {@link org.shmconform.backends.host.KernelWait} sees a futex wait inside a shared file mapping).
 *
 * <p>Nothing records who holds it in a way the kernel knows: a holder that dies leaves the word
 * taken forever (declared STAYS_HELD). The holder's pid is written beside the word only as
 * evidence for a reader ({@link #OWNER_HINT}); nothing acts on it.
 */
final class FutexFlagLock implements InSegmentLock {
    /** Header offset of the holder's pid: written after acquiring, cleared before releasing; never read by the lock. */
    static final int OWNER_HINT = 4;
    private static final VarHandle WORD = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());
    private static final int FREE = 0;
    private static final int TAKEN = 1;
    private static final int CONTENDED = 2;

    @Override
    public String describe() {
        return "atomic flag at header offset 0 (compare-and-set; FUTEX_WAIT/FUTEX_WAKE on the shared mapping)";
    }

    @Override
    public int initialise(Pointer header) {
        WORD.setVolatile(word(header), 0, FREE);
        header.setInt(OWNER_HINT, 0);
        return 0;
    }

    @Override
    public Outcome lock(Pointer header) {
        ByteBuffer word = word(header);
        int c = (int) WORD.compareAndExchange(word, 0, FREE, TAKEN);
        if (c != FREE) {
            if (c != CONTENDED) {
                c = (int) WORD.getAndSet(word, 0, CONTENDED);
            }
            while (c != FREE) {
                long rc = LockCalls.INSTANCE.syscall(LockCalls.futexSyscall(), header, LockCalls.FUTEX_WAIT, CONTENDED,
                        Pointer.NULL, Pointer.NULL, 0);
                if (rc != 0) {
                    int errno = LibC.errno();
                    if (errno != Errno.EAGAIN && errno != Errno.EINTR) {
                        return new Outcome(errno, false); // the word is left CONTENDED: a later unlock wakes nobody in vain
                    }
                }
                c = (int) WORD.getAndSet(word, 0, CONTENDED);
            }
        }
        header.setInt(OWNER_HINT, LibC.INSTANCE.getpid());
        return Outcome.ACQUIRED;
    }

    @Override
    public Outcome tryLock(Pointer header) {
        if (WORD.compareAndSet(word(header), 0, FREE, TAKEN)) {
            header.setInt(OWNER_HINT, LibC.INSTANCE.getpid());
            return Outcome.ACQUIRED;
        }
        return new Outcome(LockCalls.EBUSY, false);
    }

    @Override
    public int unlock(Pointer header) {
        ByteBuffer word = word(header);
        header.setInt(OWNER_HINT, 0);
        if ((int) WORD.getAndAdd(word, 0, -1) != TAKEN) {
            WORD.setVolatile(word, 0, FREE);
            long rc = LockCalls.INSTANCE.syscall(LockCalls.futexSyscall(), header, LockCalls.FUTEX_WAKE, 1,
                    Pointer.NULL, Pointer.NULL, 0);
            if (rc < 0) {
                return LibC.errno();
            }
        }
        return 0;
    }

    private static ByteBuffer word(Pointer header) {
        return header.getByteBuffer(0, 8);
    }
}
