#!/bin/bash
# Installs the Debian 12 packages ocne needs to build and test. Idempotent and
# quick when everything is present: it asks apt only about what is missing.
#
#   scripts/setup.sh            build + test packages
#   scripts/setup.sh --build    only what building ocne needs
#   scripts/setup.sh AREA...    only scripts/packages/AREA.txt (e.g. format)
#
# Package lists live in scripts/packages/*.txt (one per area; '#' comments).
set -euo pipefail
cd "$(dirname "$0")"

lists=(packages/*.txt)
if [[ "${1:-}" == "--build" ]]; then
  lists=(packages/build.txt)
elif [[ $# -gt 0 ]]; then
  lists=()
  for area in "$@"; do
    [[ -f "packages/$area.txt" ]] || { echo "setup: no package list scripts/packages/$area.txt" >&2; exit 2; }
    lists+=("packages/$area.txt")
  done
fi

wanted=$(sed -e 's/#.*//' "${lists[@]}" | tr -s ' \t' '\n' | sed '/^$/d' | sort -u)
missing=()
for pkg in $wanted; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "setup: all $(echo "$wanted" | wc -w) packages present"
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "setup: missing packages: ${missing[*]}" >&2
  echo "setup: run as root (or with sudo) to install them" >&2
  exit 1
fi

echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Refresh the package lists when they are missing or older than a day.
if [[ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null | head -1)" ]]; then
  apt-get update -qq
fi
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
