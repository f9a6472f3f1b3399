#!/bin/bash
# The full sweep of the kill -9 test CI samples: `cluster start` and
# `cluster delete` of a self-managed cluster killed at many seeded moments,
# for oci and oxide, over several seeds. CI runs a few kills with one random
# seed (printed); this runs many, and prints each seed so a failure replays:
#
#   scripts/kill-sweep.sh [seeds [kills per command]]      (default 10 seeds, 12 kills)
#   OCNE_TEST_SEED=1234 OCNE_TEST_KILLS=12 build/dev/tests/e2e/capi/ocne_capi_cli_tests \
#     --gtest_filter='Providers/CapiKillAnywhere.KilledAtSeeded*'
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seeds=${1:-10}
kills=${2:-12}
"$root/scripts/build.sh" dev >/dev/null
binary="$root/build/dev/tests/e2e/capi/ocne_capi_cli_tests"
failed=()
for ((i = 0; i < seeds; i++)); do
  seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
  echo "kill-sweep: seed $seed ($((i + 1)) of $seeds), $kills kills per command"
  if ! OCNE_TEST_SEED=$seed OCNE_TEST_KILLS=$kills "$binary" \
       --gtest_filter='Providers/CapiKillAnywhere.KilledAtSeeded*' --gtest_brief=1; then
    failed+=("$seed")
  fi
done
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "kill-sweep: failed seeds: ${failed[*]}" >&2
  exit 1
fi
echo "kill-sweep: $seeds seeds passed"
