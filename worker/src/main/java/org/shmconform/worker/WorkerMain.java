package org.shmconform.worker;

import org.shmconform.spi.Op;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.shmconform.backends.Backends;
import org.shmconform.spi.SharedMemoryBackend;
import org.shmconform.worker.protocol.WorkerProtocol;
import org.shmconform.worker.protocol.WorkerProtocol.Reply;
import org.shmconform.worker.protocol.WorkerProtocol.Request;

/**
 * The Java worker: a process holding segment objects of one backend (object 0, and the others a request's {@code obj}
 * names, made at its first), driven over {@link WorkerProtocol}. Started by the engine with {@code java ... WorkerMain <backend>}, or by
 * another worker (spawnChild) with {@code ... WorkerMain <backend> --inherited <fd> <key> <mode>}: its
 * object then attaches through the inherited descriptor before the hello, which says how that went.
 */
public final class WorkerMain {
    /** The option a worker started by spawnChild gets: {@code --inherited <fd> <key> <mode>}. */
    static final String INHERITED = "--inherited";

    private WorkerMain() {
    }

    public static void main(String[] args) throws Exception {
        // Only protocol lines may reach stdout: everything else printed by accident goes to stderr.
        PrintStream replies = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8);
        System.setOut(System.err);
        boolean inherits = args.length == 5 && args[1].equals(INHERITED) && args[2].matches("[0-9]{1,4}");
        if (args.length != 1 && !inherits) {
            System.err.println("usage: WorkerMain <backend> [" + INHERITED + " <fd> <key> <mode>]");
            System.exit(2);
        }
        SharedMemoryBackend backend = Backends.named(args[0]).orElse(null);
        if (backend == null) {
            System.err.println("no backend named " + args[0]);
            System.exit(2);
        }
        SegmentCommands commands = new SegmentCommands(backend);
        // Object 0 is the one a hello, a spawnChild's inherited descriptor and a reset's backend are about; the others are
        // objects of the same process, each with its own key, attachment and lock (WorkerProtocol, "obj").
        SegmentCommands[] objects = new SegmentCommands[WorkerProtocol.MAX_OBJECTS];
        objects[0] = commands;
        replies.println(WorkerProtocol.encode(inherits
                ? commands.hello(commands.inherit(Integer.parseInt(args[2]), args[3], args[4])) : commands.hello()));
        // Not BufferedReader.readLine: it ends a line at a CR too, which would answer one CRLF request twice.
        WorkerProtocol.RequestLines in = new WorkerProtocol.RequestLines(System.in);
        while (true) {
            Request request;
            try {
                String line = in.next();
                if (line == null) {
                    break;
                }
                Record read = WorkerProtocol.decodeLine(line);
                if (read instanceof WorkerProtocol.Reset reset) {
                    replies.println(WorkerProtocol.encode(reset(objects, reset)));
                    continue;
                }
                request = (Request) read;
            } catch (WorkerProtocol.BadRequest e) {
                replies.println(WorkerProtocol.encode(SegmentCommands.protocolError(e.seq(), e.getMessage())));
                continue;
            }
            Reply reply;
            try {
                int n = request.object();
                if (objects[n] == null) {
                    objects[n] = commands.another();
                }
                reply = objects[n].execute(request);
            } catch (Throwable t) {
                // A backend that throws an Error (NoClassDefFoundError, AssertionError...) from an operation
                // costs that operation an error reply, not the worker: the harness records it and goes on.
                if (t instanceof VirtualMachineError && !(t instanceof StackOverflowError)) {
                    throw t;
                }
                reply = SegmentCommands.protocolError(request.seq(), request.op() + ": " + t);
            }
            replies.println(WorkerProtocol.encode(reply));
            if (request.op() == Op.exit) {
                closeAll(objects); // the process ends: every object's destructor runs, as at the end of input
                System.exit(0);
            }
        }
        closeAll(objects);
    }

    /** Every object but object 0 is dropped as the destructor does, then object 0 is reset; the reply counts what is left. */
    private static Reply reset(SegmentCommands[] objects, WorkerProtocol.Reset reset) {
        int left = 0;
        for (int n = 1; n < objects.length; n++) {
            if (objects[n] != null) {
                try {
                    objects[n].close();
                    objects[n] = null;
                } catch (RuntimeException e) {
                    left++;
                }
            }
        }
        Reply r = objects[0].reset(reset.seq(), reset.backend());
        if (left > 0 && r.ok() && r.value() instanceof WorkerProtocol.Released released) {
            return new Reply(r.seq(), true, new WorkerProtocol.Released(released.objects() + left, released.pid(), released.backend()),
                    r.error(), r.errorCode(), r.errorString(), r.protocolError());
        }
        return r;
    }

    private static void closeAll(SegmentCommands[] objects) {
        for (SegmentCommands o : objects) {
            if (o != null) {
                o.close();
            }
        }
    }
}
