#!/bin/bash
# Builds the benchmarks in an optimised build (build/bench: Release, no
# sanitizers, with the loopback test servers they reuse) and runs them.
#
#   scripts/bench.sh                  every benchmark
#   scripts/bench.sh oci libvirt      some: capi components image k8s libvirt oci oxide upgrade
#
# Arguments for one benchmark go through its variable, e.g.
#   OCNE_BENCH_OCI_ARGS="1024 64 10 1" scripts/bench.sh oci
# Each benchmark prints ratios measured side by side in one run (see
# bench/README.md for what each compares), so its figures do not depend on
# how fast the machine is. libvirt needs root, like its tests.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir="$root/build/bench"

declare -A target=(
  [capi]="ocne_capi_bench ocne"
  [components]=ocne_components_bench
  [upgrade]="ocne_capi_upgrade_bench ocne"
  [image]=ocne_image_bench
  [k8s]=ocne_k8s_apply_bench
  [libvirt]=ocne_libvirt_cluster_bench
  [oci]=ocne_oci_upload_bench
  [oxide]=ocne_oxide_bench
)
declare -A binary=(
  [capi]=bench/capi/ocne_capi_bench
  [components]=bench/components/ocne_components_bench
  [upgrade]=bench/capi/ocne_capi_upgrade_bench
  [image]=bench/image/ocne_image_bench
  [k8s]=bench/k8s/ocne_k8s_apply_bench
  [libvirt]=bench/libvirt/ocne_libvirt_cluster_bench
  [oci]=bench/oci/ocne_oci_upload_bench
  [oxide]=bench/oxide/ocne_oxide_bench
)
areas=("$@")
[ ${#areas[@]} -gt 0 ] || areas=(capi components image k8s libvirt oci oxide upgrade)
for area in "${areas[@]}"; do
  [ -n "${target[$area]:-}" ] || { echo "bench.sh: unknown benchmark '$area' (capi components image k8s libvirt oci oxide upgrade)" >&2; exit 2; }
done

"$root/scripts/setup.sh"
export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=1
cmake -S "$root" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DOCNE_SANITIZE=OFF \
  -DOCNE_BUILD_TESTS=ON -DOCNE_BUILD_BENCH=ON >/dev/null
targets=()
# shellcheck disable=SC2206 # a target entry may name several targets
for area in "${areas[@]}"; do targets+=(${target[$area]}); done
ninja -C "$dir" "${targets[@]}"

failed=0
for area in "${areas[@]}"; do
  var="OCNE_BENCH_${area^^}_ARGS"
  echo "== bench $area"
  # shellcheck disable=SC2086 # the variable holds several arguments
  "$dir/${binary[$area]}" ${!var:-} || { echo "bench.sh: $area failed" >&2; failed=1; }
done
exit $failed
