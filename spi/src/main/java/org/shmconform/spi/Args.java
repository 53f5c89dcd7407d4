package org.shmconform.spi;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * The arguments of one {@link Op}: the one record a schedule step, a protocol request, a history
 * event and a model operation all carry, so a new argument is added here once. Unused fields are
 * null. Each owner spells these fields in its own JSON (a schedule step's {@code data} is text, a
 * request's {@code hex} and a history's {@code data} are hex); the spi knows no JSON library.
 *
 * @param key     logical or real key (create, attach)
 * @param size    create's size
 * @param mode    "ReadOnly" or "ReadWrite" (create, attach)
 * @param offset  read/write offset
 * @param length  read/truncate length
 * @param dataHex the bytes written (write, rawWrite) or read (a read's result), as hex: a read can
 *                return any bytes, which text could not carry
 * @param ms      sleep's duration
 * @param path    serveFd/attachFd: the hand-over socket. A schedule and a history name it (a plain name);
 *                the engine sends the worker the path it chose for that name in the run's share directory
 * @param peer    serveFd: the one other user (a name, e.g. "nobody") whose processes may receive the
 *                descriptor; the engine sends the worker that user's uid ({@code peerUid} on the wire)
 * @param child   spawnChild: the schedule's id of the worker the step starts as a child of its own worker (the
 *                engine sends the worker where the child's stdin, stdout and stderr are instead)
 */
public record Args(String key, Long size, String mode, Long offset, Integer length, String dataHex, Long ms,
                   String path, String peer, String child) {
    /** No arguments (detach, lock, size, ...). */
    public static final Args NONE = new Args(null, null, null, null, null, null, null);
    private static final HexFormat HEX = HexFormat.of();

    /** The arguments of every op but the hand-over ones. */
    public Args(String key, Long size, String mode, Long offset, Integer length, String dataHex, Long ms) {
        this(key, size, mode, offset, length, dataHex, ms, null, null, null);
    }

    /** The arguments of every op but spawnChild. */
    public Args(String key, Long size, String mode, Long offset, Integer length, String dataHex, Long ms,
                String path, String peer) {
        this(key, size, mode, offset, length, dataHex, ms, path, peer, null);
    }

    public Args withKey(String k) {
        return new Args(k, size, mode, offset, length, dataHex, ms, path, peer, child);
    }

    public Args withSize(Long s) {
        return new Args(key, s, mode, offset, length, dataHex, ms, path, peer, child);
    }

    public Args withMode(String m) {
        return new Args(key, size, m, offset, length, dataHex, ms, path, peer, child);
    }

    public Args withOffset(Long o) {
        return new Args(key, size, mode, o, length, dataHex, ms, path, peer, child);
    }

    public Args withLength(Integer l) {
        return new Args(key, size, mode, offset, l, dataHex, ms, path, peer, child);
    }

    public Args withDataHex(String hex) {
        return new Args(key, size, mode, offset, length, hex, ms, path, peer, child);
    }

    public Args withMs(Long m) {
        return new Args(key, size, mode, offset, length, dataHex, m, path, peer, child);
    }

    public Args withPath(String p) {
        return new Args(key, size, mode, offset, length, dataHex, ms, p, peer, child);
    }

    public Args withPeer(String user) {
        return new Args(key, size, mode, offset, length, dataHex, ms, path, user, child);
    }

    public Args withChild(String worker) {
        return new Args(key, size, mode, offset, length, dataHex, ms, path, peer, worker);
    }

    /** {@code text}'s UTF-8 bytes as the data (null stays null). */
    public Args withText(String text) {
        return withDataHex(hexOf(text));
    }

    /** The data as UTF-8 text (null when there is none), as a schedule spells it. */
    public String dataText() {
        return dataHex == null ? null : new String(HEX.parseHex(dataHex), StandardCharsets.UTF_8);
    }

    /** The data's bytes (null when there is none). */
    public byte[] dataBytes() {
        return dataHex == null ? null : HEX.parseHex(dataHex);
    }

    /** Lower-case hex of {@code text}'s UTF-8 bytes; null for null. */
    public static String hexOf(String text) {
        return text == null ? null : HEX.formatHex(text.getBytes(StandardCharsets.UTF_8));
    }

    public boolean readOnly() {
        return "ReadOnly".equals(mode);
    }
}
