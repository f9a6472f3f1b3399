#!/bin/bash
# The full sweep of the kill -9 test CI samples for `ocne node update --node
# all`: a 3+2 cluster of in-place OCK nodes killed at many seeded moments,
# over several seeds; each seed is printed so a failure replays:
#
#   scripts/node-update-kill-sweep.sh [seeds [kills per run]]     (default 10 seeds, 8 kills)
#   OCNE_TEST_SEED=1234 OCNE_TEST_KILLS=8 build/dev/tests/e2e/upgrade/ocne_upgrade_cli_tests \
#     --gtest_filter='NodeUpdateAll.KilledAtSeeded*'
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seeds=${1:-10}
kills=${2:-8}
"$root/scripts/build.sh" dev >/dev/null
binary="$root/build/dev/tests/e2e/upgrade/ocne_upgrade_cli_tests"
failed=()
for ((i = 0; i < seeds; i++)); do
  seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
  echo "node-update-kill-sweep: seed $seed ($((i + 1)) of $seeds), $kills kills"
  if ! OCNE_TEST_SEED=$seed OCNE_TEST_KILLS=$kills "$binary" \
       --gtest_filter='NodeUpdateAll.KilledAtSeeded*' --gtest_brief=1; then
    failed+=("$seed")
  fi
done
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "node-update-kill-sweep: failed seeds: ${failed[*]}" >&2
  exit 1
fi
echo "node-update-kill-sweep: $seeds seeds passed"
