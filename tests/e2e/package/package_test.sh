#!/bin/bash
# Builds the Debian package from a build tree with cpack, installs it into a
# throw-away root with `dpkg --root` (the machine itself is never touched),
# and checks it as a user would see it: dpkg -L lists only ocne's folders,
# the dependencies are real packages, `ocne --version` prints the package
# version and the commit, `man ocne-cluster-template` finds the page and bash
# and fish completion load by themselves from the installed files. lintian
# must report no error (E:) about it; its warnings are listed in
# docs/CONTRIBUTING.md.
#
#   package_test.sh BUILD_DIR
set -euo pipefail
build=$1
skip() { echo "SKIPPED: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }

for tool in cpack dpkg dpkg-deb dpkg-shlibdeps man fish lintian; do
  command -v "$tool" >/dev/null || skip "$tool is not installed (scripts/setup.sh installs it)"
done
[[ -f /usr/share/bash-completion/bash_completion ]] ||
  skip "bash-completion is not installed (scripts/setup.sh installs it)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# gzip instead of xz: the sanitizer binary is large and this is a test.
cpack --config "$build/CPackConfig.cmake" -B "$tmp/pkg" -D CPACK_DEBIAN_COMPRESSION_TYPE=gzip >"$tmp/cpack.log" 2>&1 ||
  { cat "$tmp/cpack.log"; fail "cpack failed"; }
debs=("$tmp"/pkg/*.deb)
[[ ${#debs[@]} -eq 1 ]] || fail "expected one .deb, got: ${debs[*]}"
deb=${debs[0]}
version=$(dpkg-deb -f "$deb" Version)
arch=$(dpkg --print-architecture)
[[ $(basename "$deb") == "ocne_${version}_${arch}.deb" ]] || fail "package file name $(basename "$deb")"
[[ $version == "$(cat "$build/ocne-version.txt")" ]] || fail "version $version is not the build's"

# lintian: no error. Exit 1 means it found errors, anything else but 0 that
# it could not check the package.
rc=0
lintian --fail-on error --tag-display-limit 0 "$deb" >"$tmp/lintian.log" 2>&1 || rc=$?
[[ $rc == 0 || $rc == 1 ]] || { cat "$tmp/lintian.log" >&2; fail "lintian did not run (exit $rc)"; }
if [[ $rc == 1 ]] || grep -q '^E: ' "$tmp/lintian.log"; then
  cat "$tmp/lintian.log" >&2
  fail "lintian reports errors"
fi

# The maintainer is the build's OCNE_PACKAGE_MAINTAINER, in the control file
# and the changelog alike.
maintainer=$(sed -n 's/^OCNE_PACKAGE_MAINTAINER:STRING=//p' "$build/CMakeCache.txt")
[[ -n $maintainer && $(dpkg-deb -f "$deb" Maintainer) == "$maintainer" ]] ||
  fail "Maintainer is '$(dpkg-deb -f "$deb" Maintainer)', not the build's '$maintainer'"

# Dependencies come from dpkg-shlibdeps: libc6 and libcurl4 at least, each a
# real package (installed here, since the binary was built here).
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libc6 libcurl4 libyaml-cpp; do
  [[ $depends == *"$lib"* ]] || fail "Depends lacks $lib: $depends"
done
IFS=',' read -ra deps <<<"$depends"
for dep in "${deps[@]}"; do
  name=$(echo "$dep" | awk '{print $1}')
  dpkg-query -W -f='${Status}' "$name" 2>/dev/null | grep -q 'install ok installed' ||
    fail "dependency $name is not an installed package"
done

root=$tmp/root
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates"
touch "$root/var/lib/dpkg/status"
dpkg --root="$root" --force-depends --force-not-root -i "$deb" >"$tmp/dpkg.log" 2>&1 ||
  { cat "$tmp/dpkg.log"; fail "dpkg -i failed"; }

# Nothing outside the expected folders (their parents are listed too).
allowed='^/usr(/bin(/ocne)?|/share(/man(/man1(/ocne(-[a-z-]+)?\.1\.gz)?)?|/bash-completion(/completions(/ocne)?)?|/zsh(/vendor-completions(/_ocne)?)?|/fish(/vendor_completions\.d(/ocne\.fish)?)?|/doc(/ocne(/.*)?)?)?)?$'
while read -r path; do
  [[ $path =~ $allowed ]] || fail "dpkg -L lists $path, outside the expected folders"
done < <(dpkg --root="$root" -L ocne)
for f in /usr/bin/ocne /usr/share/man/man1/ocne.1.gz /usr/share/man/man1/ocne-cluster-start.1.gz \
         /usr/share/bash-completion/completions/ocne /usr/share/zsh/vendor-completions/_ocne \
         /usr/share/fish/vendor_completions.d/ocne.fish \
         /usr/share/doc/ocne/defaults.yaml.example /usr/share/doc/ocne/examples/oci.yaml \
         /usr/share/doc/ocne/copyright /usr/share/doc/ocne/changelog.gz; do
  [[ -e $root$f ]] || fail "$f is not installed"
done

# Every page (and the changelog) is gzip-compressed without a stored name or
# time (gzip -n): the header's flags and mtime are zero.
for gz in "$root"/usr/share/man/man1/* "$root/usr/share/doc/ocne/changelog.gz"; do
  [[ $gz == *.gz ]] || fail "$gz is not gzip-compressed"
  gzip -t "$gz" || fail "$gz is not valid gzip"
  [[ $(od -An -tx1 -N8 "$gz" | tr -d ' \n') == 1f8b080000000000 ]] || fail "$gz stores a name or a time (not gzip -n)"
done
zcat "$root/usr/share/doc/ocne/changelog.gz" | grep -qF "ocne ($version) " ||
  fail "changelog.gz has no entry for $version"
zcat "$root/usr/share/doc/ocne/changelog.gz" | grep -qF " -- $maintainer  " ||
  fail "changelog.gz is not signed by $maintainer"
grep -q '^Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/' "$root/usr/share/doc/ocne/copyright" ||
  fail "copyright is not machine-readable"

out=$(ASAN_OPTIONS=detect_leaks=0 "$root/usr/bin/ocne" --version)
[[ $out =~ ^"ocne version $version (commit "([0-9a-f]{40}|unknown)")"$ ]] || fail "ocne --version printed: $out"

page=$(MANPATH="$root/usr/share/man" MANWIDTH=100 LC_ALL=C.UTF-8 man -P cat ocne-cluster-template 2>&1) ||
  fail "man ocne-cluster-template: $page"
for word in OCNE-CLUSTER-TEMPLATE NAME SYNOPSIS OPTIONS --provider --config --output; do
  [[ $page == *"$word"* ]] || fail "man ocne-cluster-template lacks $word"
done

# bash-completion loads /usr/share/bash-completion/completions/ocne on demand.
completed=$(XDG_DATA_DIRS="$root/usr/share" bash -c '
  source /usr/share/bash-completion/bash_completion
  __load_completion ocne || exit 3
  COMP_WORDS=(ocne cluster star); COMP_CWORD=2; _ocne; echo "${COMPREPLY[*]}"')
[[ $completed == start ]] || fail "ocne cluster star<TAB> completed to '$completed'"

# fish loads vendor_completions.d/ocne.fish below each XDG_DATA_DIRS entry by
# itself, for a command it finds on PATH.
completed=$(HOME="$tmp" PATH="$root/usr/bin:$PATH" XDG_DATA_DIRS="$root/usr/share" fish -c 'complete -C "ocne cluster star"' | cut -f1)
[[ $completed == start ]] || fail "fish: ocne cluster star<TAB> completed to '$completed'"

echo "package_test: $(basename "$deb") ok"
