#!/bin/bash
# Lists what did not run, from ctest's log: each skipped GoogleTest case with
# the reason it gave (GTEST_SKIP() << "..."), and each test ctest itself
# skipped (SKIP_RETURN_CODE, a skip regex, a missing fixture) with the last
# line of its output. ctest's LastTest.log records those as passed, so their
# names come from ctest's console output ("The following tests did not run").
# Prints "skip-summary: nothing skipped" or the list; always exits 0.
#
# Usage: skip-summary.sh [LastTest.log [ctest console output]]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
log=${1:-$root/build/dev/Testing/Temporary/LastTest.log}
console=${2:-/dev/null}
if [[ ! -f "$log" ]]; then
  echo "skip-summary: no ctest log at $log"
  exit 0
fi

awk '
  # ctest console: "\t  12 - Name (Skipped)" after "The following tests did not run:".
  FILENAME == ARGV[1] {
    if ($0 ~ /^The following tests did not run:/) { notrun = 1; next }
    if (notrun && $0 ~ /^[ \t]+[0-9]+ - .* \([A-Za-z ]+\)$/) {
      name = $0; sub(/^[ \t]+[0-9]+ - /, "", name)
      why = name; sub(/^.* \(/, "", why); sub(/\)$/, "", why)
      sub(/ \([A-Za-z ]+\)$/, "", name)
      ctest_skipped[name] = why; order[++m] = name
    } else if (notrun) { notrun = 0 }
    next
  }
  # LastTest.log: a block starts with "N/M Test: name".
  /^[0-9]+\/[0-9]+ Test: / { test = $0; sub(/^[0-9]+\/[0-9]+ Test: /, "", test); inout = 0; inskip = 0; reason = ""; next }
  /^Output:$/ { inout = 1; next }
  /^<end of output>$/ { inout = 0; next }
  !inout { next }
  # GoogleTest: "file:line: Skipped", the reason lines, then "[  SKIPPED ] Case (N ms)".
  /: Skipped$/ { inskip = 1; reason = ""; next }
  /^\[  SKIPPED \] .* \([0-9]+ ms\)$/ {
    name = $0; sub(/^\[  SKIPPED \] /, "", name); sub(/ \([0-9]+ ms\)$/, "", name)
    lines[++n] = "  " test (name != test ? " [" name "]" : "") ": " (reason == "" ? "(no reason given)" : reason)
    gtest_skipped[test] = 1; inskip = 0; reason = ""; next
  }
  inskip && /^\[/ { inskip = 0 }
  inskip {
    line = $0; gsub(/^[ \t]+|[ \t]+$/, "", line)
    if (line != "") { reason = (reason == "" ? line : reason " / " line) }
    next
  }
  { line = $0; gsub(/^[ \t-]+|[ \t]+$/, "", line); if (line != "") { last[test] = line } }
  END {
    for (i = 1; i <= m; i++) {
      name = order[i]
      if (!(name in gtest_skipped)) {
        lines[++n] = "  " name ": " tolower(ctest_skipped[name]) " by ctest" (name in last ? "; its last output line: " last[name] : "")
      }
    }
    if (n == 0) { print "skip-summary: nothing skipped"; exit 0 }
    print "skip-summary: " n " skipped:"
    shared = 0
    for (i = 1; i <= n; i++) { print lines[i]; if (index(lines[i], "../shared is absent") > 0) { shared++ } }
    if (shared > 0) {
      print "skip-summary: " shared " of them because ../shared is absent (a plain clone; CI has it beside the project)"
    }
  }
' "$console" "$log"
