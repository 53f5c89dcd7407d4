package org.shmconform.cli;

/**
 * Colour for people at a terminal, and only there: a verdict word in its report colour when stdout is a
 * terminal (System.console() is there only when both stdin and stdout are), TERM is not "dumb" and NO_COLOR
 * (no-color.org) is unset. Piped into a file or a CI log, the text is plain, so grep and parsers see the same words.
 */
final class Ansi {
    private static final boolean ON = System.console() != null && !"dumb".equals(System.getenv("TERM"))
            && System.getenv("NO_COLOR") == null;

    private Ansi() {
    }

    static boolean enabled() {
        return ON;
    }

    /** {@code word} coloured as the reports colour it (FAIL red, UNKNOWN grey, DEVIATES yellow, PASS green), padded to {@code width}. */
    static String verdict(String word, int width) {
        String padded = width > 0 ? String.format("%-" + width + "s", word) : word;
        if (!ON) {
            return padded;
        }
        String code = switch (word) {
            case "FAIL", "INTERRUPTED", "REGRESSION" -> "1;31";
            case "UNKNOWN" -> "1;35";
            case "DEVIATES" -> "33";
            case "PASS" -> "32";
            case "NOT_AVAILABLE" -> "2";
            default -> null;
        };
        return code == null ? padded : "\u001b[" + code + "m" + word + "\u001b[0m" + padded.substring(word.length());
    }

    /** The summary line "shmconform: FAIL — ..." with its verdict word coloured. */
    static String summary(String line) {
        for (String w : new String[] {"FAIL", "PASS", "INTERRUPTED"}) {
            String prefix = "shmconform: " + w + " ";
            if (ON && line.startsWith(prefix)) {
                return "shmconform: " + verdict(w, 0) + line.substring(prefix.length() - 1);
            }
        }
        return line;
    }
}
