package org.shmconform.worker;

import org.shmconform.spi.Op;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.shmconform.backends.Backends;
import org.shmconform.spi.SharedMemoryBackend;
import org.shmconform.worker.protocol.WorkerProtocol;
import org.shmconform.worker.protocol.WorkerProtocol.Reply;
import org.shmconform.worker.protocol.WorkerProtocol.Request;

/**
 * The Java worker: a process holding one segment object of one backend, driven over
 * {@link WorkerProtocol}. Started by the engine with {@code java ... WorkerMain <backend>}.
 */
public final class WorkerMain {
    private WorkerMain() {
    }

    public static void main(String[] args) throws Exception {
        // Only protocol lines may reach stdout: everything else printed by accident goes to stderr.
        PrintStream replies = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8);
        System.setOut(System.err);
        if (args.length != 1) {
            System.err.println("usage: WorkerMain <backend>");
            System.exit(2);
        }
        SharedMemoryBackend backend = Backends.named(args[0]).orElse(null);
        if (backend == null) {
            System.err.println("no backend named " + args[0]);
            System.exit(2);
        }
        SegmentCommands commands = new SegmentCommands(backend);
        replies.println(WorkerProtocol.encode(commands.hello()));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            Request request;
            try {
                Record read = WorkerProtocol.decodeLine(line);
                if (read instanceof WorkerProtocol.Reset reset) {
                    replies.println(WorkerProtocol.encode(commands.reset(reset.seq())));
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
