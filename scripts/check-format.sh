#!/bin/bash
# Checks that every C/C++ file git tracks (*.c *.cc *.cpp *.h *.hpp) is
# formatted as .clang-format says, lists the ones that are not and exits 1.
# clang-format is Debian 12's (version 14, scripts/packages/format.txt);
# other versions format some constructs differently.
#
#   scripts/check-format.sh          check (what CI runs, from scripts/test.sh)
#   scripts/check-format.sh --fix    rewrite the misformatted files in place
#   scripts/check-format.sh -C DIR   the git work tree at DIR instead of this one
#
# Exit status: 0 all formatted (or fixed), 1 misformatted files, 2 usage or
# tool errors (no .clang-format, a key clang-format does not know, ...).
# Nothing tracked is excluded: the tree has no vendored or generated C/C++
# files and no byte-exact C/C++ test fixtures.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
repo=$root
fix=0
jobs=${OCNE_FORMAT_JOBS:-2}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --fix) fix=1 ;;
    -C) repo=${2:?"check-format: -C needs a directory"}; shift ;;
    -h | --help) sed -n '2,/^set -euo/{/^set -euo/d; s/^# \{0,1\}//; p}' "$0"; exit 0 ;;
    *) echo "check-format: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

if ! command -v clang-format >/dev/null; then
  "$root/scripts/setup.sh" format >&2
fi
version=$(clang-format --version | sed -n 's/.*version \([0-9]*\)\..*/\1/p')
if [[ "$version" != 14 ]]; then
  echo "check-format: warning: clang-format ${version:-of unknown version}; CI uses 14, whose output may differ" >&2
fi

cd "$repo"
if [[ ! -f .clang-format ]]; then
  echo "check-format: no .clang-format in $repo" >&2
  exit 2
fi
# A style file clang-format cannot read would otherwise look like every file
# being misformatted.
if ! err=$(clang-format --style=file --assume-filename=check.cpp --dump-config 2>&1 >/dev/null); then
  echo "check-format: clang-format cannot use $repo/.clang-format:" >&2
  echo "$err" >&2
  exit 2
fi

files=()
while IFS= read -r -d '' f; do
  [[ -f "$f" ]] && files+=("$f") # tracked but deleted in the work tree: nothing to check
done < <(git ls-files -z -- '*.c' '*.cc' '*.cpp' '*.h' '*.hpp')
if [[ ${#files[@]} -eq 0 ]]; then
  echo "check-format: no C/C++ files tracked in $repo"
  exit 0
fi

# One "FILE:LINE:COL: error: code should be clang-formatted" per misformatted
# file (--ferror-limit=1), and a non-zero exit. Each batch writes to its own
# file: parallel batches sharing one pipe interleave their lines.
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
printf '%s\0' "${files[@]}" | xargs -0 -n 50 -P "$jobs" bash -c '
  log=$(mktemp "$0/log.XXXXXX")
  clang-format --style=file --dry-run -Werror --ferror-limit=1 "$@" >"$log" 2>&1 || touch "$0/failed"' "$out"
mapfile -t bad < <(sed -n 's/^\(.*\):[0-9]*:[0-9]*: error: code should be clang-formatted.*/\1/p' "$out"/log.* | sort -u)
if [[ ${#bad[@]} -eq 0 && -e "$out/failed" ]]; then
  echo "check-format: clang-format failed:" >&2
  cat "$out"/log.* >&2
  exit 2
fi

if [[ ${#bad[@]} -eq 0 ]]; then
  echo "check-format: all ${#files[@]} C/C++ files are formatted"
  exit 0
fi
if [[ $fix -eq 1 ]]; then
  printf '%s\0' "${bad[@]}" | xargs -0 -n 50 -P "$jobs" clang-format --style=file -i
  printf 'check-format: formatted %s\n' "${bad[@]}"
  exit 0
fi
printf '%s\n' "${bad[@]}"
echo "check-format: ${#bad[@]} of ${#files[@]} C/C++ files are not formatted; scripts/check-format.sh --fix formats them" >&2
exit 1
