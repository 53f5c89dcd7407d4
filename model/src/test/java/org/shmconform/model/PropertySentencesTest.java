package org.shmconform.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every property quotes its sentence: the words of a BRIEF or NOTES property must stand in the seed
 * document in this repository (docs/qt-docs), once its markup is read as text. An elision ("...")
 * splits a quote in parts; a closing parenthesis of our own ("(Silent on ...", "(on Linux ...") is
 * commentary, not quote.
 */
class PropertySentencesTest {
    private static final Path DOCS = Path.of("..", "docs", "qt-docs");

    @Test
    void everyQuotedSentenceIsInTheSeedDocuments() throws IOException {
        Map<String, String> documents = Map.of(
                "BRIEF", plain(Files.readString(DOCS.resolve("qsharedmemory-brief.rst"))),
                "NOTES", plain(Files.readString(DOCS.resolve("qsharedmemory-platform-notes.rst"))));
        List<String> missing = new ArrayList<>();
        int quotes = 0;
        for (Property p : Property.values()) {
            String document = documents.get(p.source());
            if (document == null) {
                continue; // API and P<n> properties cite Qt's reference through docs/anchors/qt-semantics.md
            }
            for (String part : quotedParts(p.sentence())) {
                quotes++;
                if (!document.contains(plain(part))) {
                    missing.add(p.id() + ": \"" + part + "\"");
                }
            }
        }
        assertEquals(List.of(), missing, "sentences not found in docs/qt-docs");
        assertTrue(quotes >= 12, "the test read only " + quotes + " quotes");
    }

    @Test
    void aSentenceThatIsNotInTheDocumentIsFound() throws IOException {
        String notes = plain(Files.readString(DOCS.resolve("qsharedmemory-platform-notes.rst")));
        assertTrue(notes.contains(plain("the shared memory segment survives the crash.")));
        assertTrue(!notes.contains(plain("the shared memory segment never survives the crash.")));
    }

    private static List<String> quotedParts(String sentence) {
        String quote = sentence.replaceAll("\\s*\\((Silent|on Linux)[^)]*\\)?.*$", "");
        List<String> parts = new ArrayList<>();
        for (String part : quote.split("\\.\\.\\.")) {
            if (!part.isBlank()) {
                parts.add(part.trim());
            }
        }
        return parts;
    }

    /** Sphinx roles as their target's last name, literals as text, "()" dropped, spaces collapsed. */
    private static String plain(String text) {
        return text.replaceAll(":sip:ref:`~?(?:[\\w.]*\\.)?(\\w+)`", "$1")
                .replaceAll("`([^`<]+?)\\s*<[^>]*>`_", "$1")
                .replace("``", "")
                .replace("()", "")
                .replaceAll("\\s+", " ");
    }
}
