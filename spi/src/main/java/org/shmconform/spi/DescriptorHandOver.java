package org.shmconform.spi;

import java.nio.file.Path;

/**
 * Optional capability of a segment that can be handed over as a file descriptor, the way seed L5
 * says: "pass the descriptor over IPC (a Unix-socket fd) or let a child process inherit it". What
 * a worker does with it:
 * <ul>
 * <li>the holder, attached: {@link #serve} on a socket path the harness chose in a directory of its
 *     own (0711, owned by the holder's user), naming the one uid that may receive;</li>
 * <li>the receiver, a worker of that uid whose object was opened with the same key:
 *     {@link #attachReceived} with the path;</li>
 * <li>a child the holder starts: {@link #descriptorForChild} is placed at a fixed number in the
 *     child (posix_spawn file actions), which calls {@link #attachInherited} with that number.</li>
 * </ul>
 * Like every segment call these never throw: false and an error, with the call and errno named.
 * Every attachment made this way gets an open file description of its own, so the segment's lock
 * (an OFD lock) excludes between sender and receiver as between any two attachers.
 */
public interface DescriptorHandOver {
    /**
     * Binds a Unix stream socket at {@code socketPath} and, until detach or {@link #stopServing},
     * sends this attached segment's descriptor (SCM_RIGHTS) to every process of uid
     * {@code peerUid} (or of this process's own uid) that connects; other connections are closed
     * unanswered (SO_PEERCRED). The path's directory must be this user's and writable by nobody
     * else (checked with lstat); the socket is given to {@code peerUid} with mode 0600.
     */
    boolean serve(Path socketPath, int peerUid);

    /** Stops serving and removes the socket; false when not serving. */
    boolean stopServing();

    /** Connects to {@code socketPath}, receives a descriptor and attaches through it if it is this key's sealed segment. */
    boolean attachReceived(Path socketPath, AccessMode mode);

    /** Attaches through a descriptor this process inherited, if it is this key's sealed segment. */
    boolean attachInherited(int descriptor, AccessMode mode);

    /** The attached segment's descriptor, to be duplicated into a child (it stays this object's); -1 when not attached. */
    int descriptorForChild();
}
