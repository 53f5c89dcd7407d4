package org.shmconform.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.ExtendWith;
import org.shmconform.engine.env.LocalEnvironment;
import org.shmconform.engine.launch.WorkerHandle;
import org.shmconform.worker.protocol.WorkerProtocol;

/**
 * The request parser of every worker kind, fuzzed on real worker processes: a seeded generator makes request lines out
 * of the shapes WorkerProtocol's "Malformed requests" names (huge, negative, fractional and mistyped numbers, missing
 * and doubled fields, unknown ops, raw control characters and NUL bytes, bytes that are not UTF-8, CRs, trailing
 * garbage, deep nesting, a line past the length limit) and sends each to a Java sysv worker, the Qt 6.4 worker and the
 * Qt 6.8 worker (where each can run here), each on a segment of its own. Every line must get exactly one reply, a JSON
 * object, and every worker the same protocol verdict: a protocol error or not, with the same seq. A failure names the
 * seed and the line (each line stands alone, so the line is the shrunk case). The seed is fixed, so the verdict does
 * not depend on luck; {@code -Dshmconform.requestFuzz.seed=N} tries another, {@code -Dshmconform.requestFuzz.lines=N} more lines.
 */
@ExtendWith(TakesTheKeyFileTurn.class)
class RequestFuzzTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long SEED = Long.getLong("shmconform.requestFuzz.seed", 20261206L);
    private static final int LINES = Integer.getInteger("shmconform.requestFuzz.lines", 400);
    /** A guard against a hung worker, not a verdict: the engine's own bound for a start (120 s), which only a hang reaches. */
    private static final long HANG_GUARD_SECONDS = 120;
    @RegisterExtension
    static final OneRunPerClass RUN = new OneRunPerClass();

    @Test
    void everyWorkerAnswersEveryGeneratedLineOnceAndAlike() throws Exception {
        List<String> columns = new ArrayList<>();
        for (String column : List.of("sysv", QtReferenceWorker.IMPL, Qt68Columns.SYSV)) {
            if (Subjects.here().availability(column).available()) {
                columns.add(column);
            } else {
                System.out.println(column + " cannot run here: " + Subjects.here().availability(column).reason());
            }
        }
        String prefix = RUN.context().nextExecutionPrefix();
        Map<String, Worker> workers = new LinkedHashMap<>();
        List<String> notes = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Map<String, Integer> tally = new java.util.TreeMap<>();
        // What existed before the workers: the reaper removes only what they are proven to have made or used since.
        SysVReading before = SysVReading.now();
        long since = System.currentTimeMillis();
        try {
            WorkerCommands commands = new WorkerCommands(RUN.context());
            LocalEnvironment local = new LocalEnvironment();
            for (int i = 0; i < columns.size(); i++) {
                String key = prefix + "fz" + i;
                RUN.context().ledger().intend(key, List.of(RUN.context().workerTmp()));
                Worker w = new Worker(local.start(commands.command(columns.get(i), null, null), "g"), key);
                workers.put(columns.get(i), w);
                org.junit.jupiter.api.Assertions.assertNotNull(w.next(), columns.get(i) + ": the hello"); // else replies would be off by one
                w.send(("{\"seq\":1,\"op\":\"create\",\"key\":\"" + key + "\",\"size\":64}").getBytes(StandardCharsets.UTF_8));
                assertEquals(true, JSON.readTree(w.next()).path("ok").asBoolean(), columns.get(i) + ": the first create");
            }
            Generator g = new Generator(new SplittableRandom(SEED));
            for (int n = 0; n < LINES && problems.isEmpty(); n++) {
                Map<String, String> verdicts = new LinkedHashMap<>();
                List<byte[]> sent = new ArrayList<>();
                for (Map.Entry<String, Worker> e : workers.entrySet()) {
                    Generator.Line line = g.line(n, e.getValue().key);
                    sent.add(line.bytes());
                    e.getValue().send(line.bytes());
                }
                g.advance();
                for (Map.Entry<String, Worker> e : workers.entrySet()) {
                    String reply = e.getValue().next();
                    verdicts.put(e.getKey(), verdict(reply));
                }
                verdicts.values().forEach(v -> tally.merge(v.replaceAll(", seq .*", ""), 1, Integer::sum));
                if (verdicts.values().stream().anyMatch(v -> v.startsWith("no reply") || v.startsWith("not a reply"))
                        || verdicts.values().stream().distinct().count() > 1) {
                    problems.add("seed " + SEED + " line " + n + " " + show(sent.get(0)) + ": " + verdicts);
                }
            }
            for (Map.Entry<String, Worker> e : workers.entrySet()) {
                e.getValue().send("{\"seq\":9,\"op\":\"isAttached\"}".getBytes(StandardCharsets.UTF_8));
                String alive = e.getValue().next();
                if (alive == null || !alive.contains("\"seq\":9")) {
                    problems.add(e.getKey() + " did not answer after the fuzzed lines: " + alive);
                }
            }
        } finally {
            for (Worker w : workers.values()) {
                w.recordWhatItLeft(before, since);
                w.stop();
            }
            Reaper.afterExecution(RUN.context(), prefix, notes);
        }
        System.out.println("seed " + SEED + ", workers " + workers.keySet() + ", replies: " + tally);
        assertEquals(List.of(), problems, "workers " + workers.keySet());
    }

    /** What the protocol says of a reply: a protocol error or not, and its seq; or why it is not a reply. */
    private static String verdict(String reply) {
        if (reply == null) {
            return "no reply within " + HANG_GUARD_SECONDS + " s";
        }
        try {
            JsonNode r = JSON.readTree(reply);
            if (!r.isObject() || !r.has("seq") || !r.has("ok")) {
                return "not a reply: " + reply;
            }
            WorkerProtocol.decodeReply(reply);
            return (r.has("protocolError") ? "protocol error" : "answered") + ", seq " + r.get("seq").asText();
        } catch (IOException e) {
            return "not a reply: " + reply;
        }
    }

    private static String show(byte[] line) {
        String text = new String(line, 0, Math.min(line.length, 300), StandardCharsets.ISO_8859_1);
        StringBuilder b = new StringBuilder();
        for (char c : text.toCharArray()) {
            b.append(c >= 32 && c < 127 ? String.valueOf(c) : String.format("\\x%02x", (int) c));
        }
        return b + (line.length > 300 ? "... (" + line.length + " bytes)" : "");
    }

    /**
     * The project's small generator for request lines: each line drawn from its own split of the seed (so a line is
     * the same whatever the lines before it drew), built from a valid request of an op the workers all know, then bent
     * by one to three mutations. Never a lock (a second lock of the same object waits forever), never an exit or reset,
     * never a ReadOnly attach (a rawWrite would then kill the worker on purpose), no sleep longer than 1 ms, no key but
     * the worker's own, no size but small ones: the line is about the parser, not the segment.
     */
    static final class Generator {
        record Line(byte[] bytes) {
        }

        private static final List<String> OPS = List.of("create", "attach", "detach", "read", "write", "rawWrite", "truncate",
                "size", "isAttached", "nativeKey", "error", "sleep");
        private static final List<String> NUMBERS = List.of("0", "1", "-1", "63", "64", "65", "2147483647", "2147483648",
                "-2147483649", "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
                "99999999999999999999", "1e300", "-1e300", "1.5", "1.0", "-0", "-0.0", "1e2", "6.4e1", "0.5e1", "1E1", "\"7\"",
                "true", "null", "[]", "{}", "1e-1", "01", "-", "1234567890123456789.0", "-9223372036854775808.0", "+1", "0x10");
        private final SplittableRandom seeds;
        private long lineSeed;

        Generator(SplittableRandom seeds) {
            this.seeds = seeds;
            this.lineSeed = seeds.nextLong();
        }

        /** The next line's seed: every worker gets line n drawn from the same one. */
        void advance() {
            lineSeed = seeds.nextLong();
        }

        Line line(int n, String key) {
            SplittableRandom r = new SplittableRandom(lineSeed);
            int special = r.nextInt(40);
            if (special == 0) {
                return new Line(repeat((byte) 'x', WorkerProtocol.MAX_LINE_BYTES + 1 + r.nextInt(1000)));
            }
            if (special == 1) {
                int depth = WorkerProtocol.MAX_DEPTH - 2 + r.nextInt(4);
                return new Line(("{\"seq\":" + n + ",\"op\":\"size\",\"x\":" + "[".repeat(depth - 1) + "]".repeat(depth - 1) + "}")
                        .getBytes(StandardCharsets.UTF_8));
            }
            String op = r.nextInt(15) == 0 ? "no" + r.nextInt(10) : OPS.get(r.nextInt(OPS.size()));
            Map<String, String> fields = new LinkedHashMap<>();
            fields.put("seq", Integer.toString(n + 10));
            fields.put("op", quote(op));
            switch (op) {
                case "create" -> { fields.put("key", quote(key)); fields.put("size", "64"); fields.put("mode", quote("ReadWrite")); }
                case "attach" -> { fields.put("key", quote(key)); fields.put("mode", quote("ReadWrite")); }
                case "read" -> { fields.put("offset", "0"); fields.put("length", "4"); }
                case "write", "rawWrite" -> { fields.put("offset", "2"); fields.put("hex", quote("0a0B")); }
                case "truncate" -> fields.put("length", "8");
                case "sleep" -> fields.put("ms", "1");
                default -> { }
            }
            List<String> names = List.of("seq", "op", "key", "size", "mode", "offset", "length", "hex", "ms", "path", "peerUid", "obj", "zz");
            for (int m = 1 + r.nextInt(3); m > 0; m--) {
                String name = names.get(r.nextInt(names.size()));
                switch (r.nextInt(7)) {
                    case 0 -> fields.remove(name);
                    case 1 -> fields.put(name, number(r, name));
                    case 2 -> fields.put(name, string(r, name, key));
                    case 3 -> fields.put(name, r.nextBoolean() ? "null" : r.nextBoolean() ? "[1,{\"a\":[]}]" : "{\"seq\":3}");
                    default -> fields.put(name, name.equals("op") ? fields.getOrDefault("op", "\"size\"") : fields.containsKey(name)
                            ? fields.get(name) : number(r, name));
                }
            }
            StringBuilder b = new StringBuilder("{");
            for (Map.Entry<String, String> f : fields.entrySet()) {
                if (b.length() > 1) {
                    b.append(r.nextInt(12) == 0 ? " ,\r" : ",");
                }
                b.append(quote(f.getKey())).append(':').append(f.getValue());
                if (r.nextInt(15) == 0) { // the same field again, the last counting
                    b.append(',').append(quote(f.getKey())).append(':').append(number(r, f.getKey()));
                }
            }
            b.append('}');
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] text = b.toString().getBytes(StandardCharsets.UTF_8);
            out.writeBytes(text);
            switch (r.nextInt(12)) {
                case 0 -> out.writeBytes(" \r".getBytes(StandardCharsets.US_ASCII));
                case 1 -> out.writeBytes(" {}".getBytes(StandardCharsets.US_ASCII));
                case 2 -> out.write(0);
                case 3 -> out.write(0xff);
                default -> { }
            }
            return new Line(out.toByteArray());
        }

        private String number(SplittableRandom r, String name) {
            if (name.equals("ms") && r.nextInt(2) == 0) {
                return "0";
            }
            String n = NUMBERS.get(r.nextInt(NUMBERS.size()));
            // no long sleep, and no create that could succeed with more than a page: the line is about the parser
            boolean valid = n.matches("1e2|6.4e1|0.5e1|1E1|1.0")
                    || n.matches("[0-9]+") && new java.math.BigInteger(n).compareTo(java.math.BigInteger.valueOf(Long.MAX_VALUE)) <= 0;
            return (name.equals("ms") || name.equals("size")) && valid ? "1" : n;
        }

        private String string(SplittableRandom r, String name, String key) {
            int kind = r.nextInt(9);
            if (name.equals("key") && kind != 3 && kind != 4) {
                return quote(key); // no valid key but the worker's own: nothing is made that the ledger does not know
            }
            return switch (kind) {
                case 0 -> quote(key);
                case 1 -> quote("ReadWrite");
                case 2 -> quote("readonly");
                case 3 -> "\"a\u0000b\"";
                case 4 -> "\"tab\there\"";
                case 5 -> quote("x".repeat(1 + r.nextInt(20_000)));
                case 6 -> quote("0a0Bz");
                case 7 -> "\"\\u0041\\n\\\"\"";
                default -> quote(name.equals("hex") ? "" : "\u00e9\u4e2d\ud83d\ude00");
            };
        }

        private static String quote(String s) {
            return "\"" + s + "\"";
        }

        private static byte[] repeat(byte b, int n) {
            byte[] a = new byte[n];
            java.util.Arrays.fill(a, b);
            return a;
        }
    }

    /** One worker process: raw lines in, reply lines out (read on a thread of its own), stderr drained. */
    private static final class Worker {
        private static final String END = new String("end of stdout");
        final WorkerHandle handle;
        final String key;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

        Worker(WorkerHandle handle, String key) {
            this.handle = handle;
            this.key = key;
            Thread reader = new Thread(() -> read(handle.stdout()), "fuzz-stdout");
            reader.setDaemon(true);
            reader.start();
            Thread drain = new Thread(() -> {
                try (InputStream err = handle.stderr()) {
                    err.transferTo(System.err);
                } catch (IOException e) {
                    // gone
                }
            }, "fuzz-stderr");
            drain.setDaemon(true);
            drain.start();
        }

        void send(byte[] line) throws IOException {
            handle.stdin().write(line);
            handle.stdin().write('\n');
            handle.stdin().flush();
        }

        String next() throws InterruptedException {
            String line = lines.poll(HANG_GUARD_SECONDS, TimeUnit.SECONDS);
            return line == END ? null : line;
        }

        /** Into the run's ledger while it lives, as the engine does before a worker ends (WorkerProcess#recordOrphansIn). */
        void recordWhatItLeft(SysVReading before, long since) {
            java.util.OptionalLong pid = handle.hostPid();
            if (pid.isEmpty()) {
                return;
            }
            try (org.shmconform.backends.host.Pidfd pinned = org.shmconform.backends.host.Pidfd.open(pid.getAsLong())) {
                if (pinned != null && handle.pins(pinned)) {
                    RUN.context().ledger().recordProvenOfLiveWorker(WorkerProcess.provenOf(SysVReading.now(), pinned, pid.getAsLong(),
                            since, before.setLastOperators(), before.segmentLastUsers(), RUN.context().ledger().startSecond()));
                }
            }
        }

        void stop() throws InterruptedException {
            if (handle.isAlive()) {
                handle.kill();
                handle.awaitExit(java.time.Duration.ofSeconds(HANG_GUARD_SECONDS));
            }
            handle.release();
        }

        private void read(InputStream out) {
            try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(out, StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the worker is gone: END below
            } finally {
                lines.add(END);
            }
        }
    }
}
