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
 * The Java worker: a process holding one segment object of one backend, driven over
 * {@link WorkerProtocol}. Started by the engine with {@code java ... WorkerMain <backend>}, or by
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
                    replies.println(WorkerProtocol.encode(commands.reset(reset.seq(), reset.backend())));
                    continue;
                }
                request = (Request) read;
            } catch (WorkerProtocol.BadRequest e) {
                replies.println(WorkerProtocol.encode(SegmentCommands.protocolError(e.seq(), e.getMessage())));
                continue;
            }
            Reply reply;
            try {
                reply = commands.execute(request);
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
                System.exit(0);
            }
        }
        commands.close();
    }
}
