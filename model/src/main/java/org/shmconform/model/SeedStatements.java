package org.shmconform.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The statements of the two seed documents with their stable ids, as docs/seed-sentences.md lists them (that file is
 * their one source: the build copies it next to this class, and {@code SeedCoverageTest} reads the one in docs/).
 */
public final class SeedStatements {
    /** The class-path copy of docs/seed-sentences.md (see model/pom.xml). */
    static final String RESOURCE = "seed-sentences.md";
    /** A table row: "| B1 | statement | section |"; the statement may hold anything but a line break. */
    private static final Pattern ROW = Pattern.compile("^\\|\\s*([A-Z]+[0-9]+)\\s*\\|(.*)\\|([^|]*)\\|\\s*$");
    private static final List<SeedStatement> ALL = parse(read());

    private SeedStatements() {
    }

    /** One statement: its id (B1, N4, ...), the short paraphrase, and the part of the documents it comes from. */
    public record SeedStatement(String id, String statement, String section) {
    }

    /** Every statement, in the order of the document. */
    public static List<SeedStatement> all() {
        return ALL;
    }

    /** The statements of a seed-sentences.md text, in its order. */
    public static List<SeedStatement> parse(String markdown) {
        List<SeedStatement> rows = new ArrayList<>();
        for (String line : markdown.split("\\R")) {
            Matcher m = ROW.matcher(line);
            if (m.matches()) {
                rows.add(new SeedStatement(m.group(1), m.group(2).trim(), m.group(3).trim()));
            }
        }
        return List.copyOf(rows);
    }

    private static String read() {
        try (InputStream in = SeedStatements.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the class path (model/pom.xml copies docs/seed-sentences.md)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
