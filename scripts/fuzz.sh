#!/bin/bash
# Builds the libFuzzer targets with clang and runs each for a bounded time on
# its seed corpus (a copy, so the repository is not modified). A crash fails
# the run and names the input to add under tests/fuzz/regressions/<target>/.
#
#   OCNE_FUZZ_SECONDS   seconds per target (default 20)
#   OCNE_FUZZ_SEED      libFuzzer seed (default 1). A fixed seed makes every
#                       run walk the same sequence of inputs, so a CI run only
#                       repeats a prefix of what a longer local run has
#                       already cleared, instead of failing on new luck.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir="$root/build/fuzz"
seconds=${OCNE_FUZZ_SECONDS:-20}
seed=${OCNE_FUZZ_SEED:-1}

export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=1
cmake -S "$root" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DOCNE_FUZZ=ON -DOCNE_BUILD_TESTS=OFF -DOCNE_WERROR=OFF >/dev/null
targets=$(ninja -C "$dir" -t targets all | sed -n 's/^\(fuzz_[a-z0-9_]*\): phony$/\1/p' | grep -v '^fuzz_replay_' | sort -u)
ninja -C "$dir" $targets

failed=0
for target in $targets; do
  name=${target#fuzz_}
  work="$dir/work/$name"
  rm -rf "$work" && mkdir -p "$work/corpus" "$work/crashes"
  if [[ -d "$root/tests/fuzz/corpus/$name" ]]; then
    cp -r "$root/tests/fuzz/corpus/$name/." "$work/corpus/"
  fi
  echo "fuzz: $name for ${seconds}s"
  if ! "$dir/tests/fuzz/$target" -max_total_time="$seconds" -seed="$seed" -timeout=10 -rss_limit_mb=2048 \
       -artifact_prefix="$work/crashes/" -print_final_stats=1 "$work/corpus" >"$work/log" 2>&1; then
    echo "fuzz: $name FAILED; last lines of $work/log:" >&2
    tail -n 30 "$work/log" >&2
    for crash in "$work"/crashes/*; do
      [[ -e "$crash" ]] && echo "fuzz: add $crash to tests/fuzz/regressions/$name/ with the fix" >&2
    done
    failed=1
  else
    grep -E '^stat::number_of_executed_units' "$work/log" | sed "s/^/fuzz: $name /" || true
  fi
done
exit $failed
