#!/bin/bash
# Installs what is needed, builds ocne with ASan+UBSan and runs every test:
# unit, integration (the real binary, real kubectl, registry, libvirt...),
# and the fuzz targets for a bounded time. This is what CI runs (.ci/run).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
jobs=${OCNE_TEST_JOBS:-2}

"$root/scripts/setup.sh"
# Formatting first: it takes seconds and fails on any C/C++ file that differs
# from .clang-format. On once the tree has been formatted in one commit, which
# adds the marker file.
if [[ -f "$root/.clang-format-applied" ]]; then
  "$root/scripts/check-format.sh"
fi
"$root/scripts/build.sh" dev

# No strict_string_checks: it flags libguestfs's (valid) strndup of short,
# NUL-terminated strings inside guestfs_launch.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# ctest's console output is kept: its "did not run" list is the only record of
# ctest-level skips (LastTest.log logs them as passed).
console="$root/build/dev/Testing/Temporary/ctest-console.log"
mkdir -p "$(dirname "$console")"
status=0
ctest --test-dir "$root/build/dev" -j "$jobs" --output-on-failure --no-tests=error 2>&1 | tee "$console" || status=$?

# What did not run, and why, before any verdict (also when ctest failed).
summary=$("$root/scripts/skip-summary.sh" "$root/build/dev/Testing/Temporary/LastTest.log" "$console")
echo "$summary"
if [[ $status -ne 0 ]]; then
  echo "test.sh: ctest failed (exit status $status)" >&2
  exit "$status"
fi

# The tests labelled `shared` once more, with ../shared pointed at an empty
# folder: each must skip (none may fail or pass), as on a plain clone.
"$root/scripts/test-without-shared.sh" "$root/build/dev" "$jobs"

if [[ -x "$root/scripts/fuzz.sh" ]]; then
  "$root/scripts/fuzz.sh"
fi
if [[ "$summary" == "skip-summary: nothing skipped" ]]; then
  echo "test.sh: all tests passed, none skipped"
else
  count=${summary%%$'\n'*}      # "skip-summary: N skipped:"
  count=${count#skip-summary: }
  echo "test.sh: all tests that ran passed; ${count%:} (listed above)"
fi
