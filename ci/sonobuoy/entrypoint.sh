#!/bin/sh
# The Sonobuoy plugin's container entrypoint: run shmconform, pack its report, tell Sonobuoy where it is.
# Contract: results under $RESULTS_DIR; the last act is writing the results file's path into $RESULTS_DIR/done
# (Sonobuoy waits for that file). A FAIL is a result, not an error: the report is written either way.
set -u
RESULTS_DIR="${RESULTS_DIR:-/tmp/sonobuoy/results}"
JAR="${SHMCONFORM_JAR:-/opt/shmconform/shmconform.jar}"
# A private work folder (0700, ours), never under /tmp, removed at the end.
work="${SHMCONFORM_WORK:-/run/shmconform-plugin}/run-$$"
umask 077
mkdir -p "$work" "$RESULTS_DIR" || exit 1
# shellcheck disable=SC2086  # SHMCONFORM_ARGS is a list of options
java -Dsun.stdout.encoding=UTF-8 -Dsun.stderr.encoding=UTF-8 -jar "$JAR" --state-dir "$work/state" run ${SHMCONFORM_ARGS:-} -o "$work/shmconform-report" > "$work/console.txt" 2>&1
status=$?
echo "exit $status" >> "$work/console.txt"
run="$(readlink -f "$work/shmconform-report/latest" 2>/dev/null || true)"
if [ -n "$run" ] && [ -f "$run/junit.xml" ]; then
  cp "$run/junit.xml" "$work/junit.xml"
else
  # No report (the harness could not start): a JUnit error with the console's tail, never silence.
  tail -c 2000 "$work/console.txt" | sed 's/&/\&amp;/g; s/</\&lt;/g; s/>/\&gt;/g' > "$work/tail.txt"
  { echo '<?xml version="1.0" encoding="UTF-8"?>'
    echo "<testsuites tests=\"1\" failures=\"0\" errors=\"1\"><testsuite name=\"shmconform\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\" time=\"0\">"
    echo "<testcase classname=\"shmconform\" name=\"run\" time=\"0\"><error type=\"NO_REPORT\" message=\"shmconform exited $status without a report\">"
    cat "$work/tail.txt"; echo '</error></testcase></testsuite></testsuites>'; } > "$work/junit.xml"
fi
tarball="$RESULTS_DIR/shmconform-${NODE_NAME:-node}.tar.gz"
tar -C "$work" -czf "$tarball" junit.xml console.txt $( [ -d "$work/shmconform-report" ] && echo shmconform-report )
rm -rf "$work"
printf '%s' "$tarball" > "$RESULTS_DIR/done"
