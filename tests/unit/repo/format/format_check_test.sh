#!/bin/bash
# scripts/check-format.sh on a throw-away git repository that holds the
# project's .clang-format, a formatted and a misformatted source file: the
# check must fail and name only the misformatted file, pass once it is gone,
# --fix must format it (and leave the formatted one alone), untracked files
# are not checked, many misformatted files are all listed, and a style file clang-format cannot read is an error,
# not a pass.
#
#   format_check_test.sh SOURCE_DIR
set -euo pipefail
src=$1
check="$src/scripts/check-format.sh"
skip() { echo "SKIPPED: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }

for tool in clang-format git; do
  command -v "$tool" >/dev/null || skip "$tool is not installed (scripts/setup.sh installs it)"
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
repo="$tmp/repo"
mkdir -p "$repo/pkg/demo"
cp "$src/.clang-format" "$repo/"

# Formatted as the project's .clang-format wants it.
cat >"$repo/pkg/demo/answer.cpp" <<'CPP'
#include "pkg/demo/answer.hpp"

#include <string>

namespace ocne::demo {

int
answer(const std::string& question)
{
  if (question.empty()) {
    return 0;
  }
  return 42;
}

} // namespace ocne::demo
CPP
cat >"$repo/pkg/demo/answer.hpp" <<'CPP'
#pragma once

#include <string>

namespace ocne::demo {

// The answer to a question; 0 when there is no question.
int answer(const std::string& question);

} // namespace ocne::demo
CPP
# The same function, misformatted, and what formatting must make of it.
messy='#include <string>
int  twice(int x){return 2*x;}'
tidy='#include <string>
int
twice(int x)
{
  return 2 * x;
}'
printf '%s\n' "$messy" >"$repo/pkg/demo/messy.cpp"
printf '%s\n' "$messy" >"$repo/pkg/demo/untracked.cpp"
cp "$repo/pkg/demo/answer.cpp" "$tmp/answer.cpp.orig"
git -C "$repo" init -q
git -C "$repo" add .clang-format pkg/demo/answer.cpp pkg/demo/answer.hpp pkg/demo/messy.cpp

# 1. A misformatted tracked file fails the check, and only it is listed.
rc=0
out=$("$check" -C "$repo" 2>"$tmp/err") || rc=$?
[[ $rc -eq 1 ]] || fail "check of a misformatted file exited $rc, not 1: $out $(cat "$tmp/err")"
[[ "$out" == "pkg/demo/messy.cpp" ]] || fail "check listed '$out', not pkg/demo/messy.cpp"
grep -q "1 of 3 C/C++ files are not formatted" "$tmp/err" || fail "no summary on stderr: $(cat "$tmp/err")"

# 2. Formatted files only (the untracked messy one is still there): it passes.
git -C "$repo" rm -q --cached pkg/demo/messy.cpp
rc=0
out=$("$check" -C "$repo" 2>&1) || rc=$?
[[ $rc -eq 0 ]] || fail "check of formatted files exited $rc: $out"
[[ "$out" == *"all 2 C/C++ files are formatted"* ]] || fail "unexpected output: $out"

# 3. --fix formats the misformatted file and nothing else.
git -C "$repo" add pkg/demo/messy.cpp
out=$("$check" -C "$repo" --fix 2>&1) || fail "--fix failed: $out"
[[ "$(cat "$repo/pkg/demo/messy.cpp")" == "$tidy" ]] ||
  fail "--fix wrote: $(cat "$repo/pkg/demo/messy.cpp")"
cmp -s "$repo/pkg/demo/answer.cpp" "$tmp/answer.cpp.orig" || fail "--fix changed a formatted file"
[[ "$(cat "$repo/pkg/demo/untracked.cpp")" == "$messy" ]] || fail "--fix changed an untracked file"
"$check" -C "$repo" >/dev/null 2>&1 || fail "check after --fix failed"

# 4. Many misformatted files, checked in parallel batches: every one is
#    listed (batches writing to one pipe used to lose some).
mkdir -p "$repo/many"
for i in $(seq 1 150); do
  printf '%s\n' "$messy" >"$repo/many/f$i.cpp"
  echo "many/f$i.cpp"
done | sort >"$tmp/many.expected"
git -C "$repo" add many
rc=0
OCNE_FORMAT_JOBS=4 "$check" -C "$repo" >"$tmp/many.listed" 2>/dev/null || rc=$?
[[ $rc -eq 1 ]] || fail "check of 150 misformatted files exited $rc, not 1"
diff "$tmp/many.expected" "$tmp/many.listed" >&2 || fail "check did not list exactly the 150 misformatted files"

# 5. A style file clang-format cannot read is a tool error (2), not a pass.
echo "NoSuchClangFormatKey: true" >>"$repo/.clang-format"
rc=0
out=$("$check" -C "$repo" 2>&1) || rc=$?
[[ $rc -eq 2 ]] || fail "check with a broken .clang-format exited $rc, not 2: $out"
[[ "$out" == *"NoSuchClangFormatKey"* ]] || fail "the error does not name the bad key: $out"

echo "format_check_test: all checks passed"
