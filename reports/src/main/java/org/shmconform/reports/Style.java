package org.shmconform.reports;

import org.shmconform.checker.Verdict;

/** What the HTML pages share: the verdicts' colours, and the order in which they are listed (what needs attention first). */
final class Style {
    static final String CSS = "body{font-family:sans-serif;margin:1.5em;max-width:110em}table{border-collapse:collapse;margin:.5em 0}"
            + "td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top;text-align:left}"
            + ".PASS{background:#d7f5d7}.DEVIATES{background:#fff1c2}.FAIL{background:#f8c8c8;font-weight:bold}"
            + ".UNKNOWN{background:#e4e4e4}.NOT_AVAILABLE{background:#f4f4f4;color:#666}td.p{font-family:monospace}"
            + ".why{display:block;font-weight:normal;font-size:80%;max-width:24em}.obs{font-size:80%;color:#555}"
            + ".badge{padding:2px 8px;border-radius:4px;font-size:80%}"
            + ".bar{padding:8px 12px;font-weight:bold}.bar.PASS{background:#d7f5d7}.bar.FAIL{background:#f8c8c8}.bar.INTERRUPTED{background:#ffe0b0}"
            + ".counts span{display:inline-block;padding:4px 10px;margin-right:6px;border-radius:4px}";

    private Style() {
    }

    /** FAIL, UNKNOWN, DEVIATES, PASS, NOT_AVAILABLE: the order of the lists and the pages. */
    static int severity(Verdict v) {
        return switch (v) {
            case FAIL -> 0;
            case UNKNOWN -> 1;
            case DEVIATES -> 2;
            case PASS -> 3;
            case NOT_AVAILABLE -> 4;
        };
    }
}
