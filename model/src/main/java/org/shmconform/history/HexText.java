package org.shmconform.history;

/** A history's bytes (hex in the events) as readable, quoted text for people: printable ASCII as is, the rest escaped. */
public final class HexText {
    private HexText() {
    }

    public static String quoted(String hex) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i + 1 < hex.length(); i += 2) {
            int c = Integer.parseInt(hex.substring(i, i + 2), 16);
            b.append(c >= 32 && c < 127 ? String.valueOf((char) c) : c == 0 ? "\\0" : String.format("\\x%02x", c));
        }
        return b.append('"').toString();
    }
}
