#!/bin/bash
# Runs the tests labelled `shared` (the ones that need ../shared; see
# ocne_test in cmake/OcneTargets.cmake) with OCNE_SHARED_DIR pointed at an
# empty folder, as a plain clone of the project has it, and fails unless
# every one of them reports skipped: none may crash, fail or pass.
#
# Usage: test-without-shared.sh [build dir [jobs]]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build/dev}
jobs=${2:-2}

empty=$(mktemp -d)
trap 'rm -rf "$empty"' EXIT
out="$build/Testing/Temporary/ctest-without-shared.log"
mkdir -p "$(dirname "$out")"

# The names the label selects, from ctest itself ("  Test #12: Name").
mapfile -t wanted < <(ctest --test-dir "$build" -N -L '^shared$' | sed -n 's/^ *Test *#[0-9]*: //p' | sort)
if [[ ${#wanted[@]} -eq 0 ]]; then
  echo "test-without-shared: no test is labelled 'shared'" >&2
  exit 1
fi

status=0
OCNE_SHARED_DIR="$empty" ctest --test-dir "$build" -L '^shared$' -j "$jobs" --output-on-failure >"$out" 2>&1 || status=$?
# Skipped ones are listed as "\t  12 - Name (Skipped)" after "The following tests did not run:".
mapfile -t skipped < <(sed -n '/^The following tests did not run:/,/^$/s/^[ \t]*[0-9]* - \(.*\) (Skipped)$/\1/p' "$out" | sort)
mapfile -t not_skipped < <(comm -23 <(printf '%s\n' "${wanted[@]}") <(printf '%s\n' "${skipped[@]}"))

if [[ $status -ne 0 || ${#not_skipped[@]} -ne 0 ]]; then
  cat "$out"
  echo "test-without-shared: without ../shared every test labelled 'shared' must skip; these did not:" >&2
  printf '  %s\n' "${not_skipped[@]}" >&2
  echo "test-without-shared: decide the skip with OCNE_REQUIRE_SHARED() in the fixture's SetUp() or at the top of" \
       "the test body, and label only tests that need ../shared (SHARED_TESTS of ocne_test)" >&2
  exit 1
fi
echo "test-without-shared: all ${#wanted[@]} tests labelled 'shared' skip without ../shared"
