#!/bin/bash
# Builds the tiny boot disk the libvirt tests use as OCK stand-in: a UEFI
# bootable qcow2 (syslinux.efi on a FAT file system) with Debian's cloud
# kernel and a busybox initramfs whose /init plays a node (fake-node-init.sh).
#
# Usage: build-test-image.sh OUTDIR KUBE_TEST_SERVER FAKE_IGNITION
# Prints the path of OUTDIR/boot.qcow2. Reuses it when no input changed.
# Exit 77: a tool or the kernel package is not available here (reason on stderr);
# any other failure is a broken setup (the tests fail on it under CI=true).
set -euo pipefail
out=${1:?usage: build-test-image.sh OUTDIR KUBE_TEST_SERVER FAKE_IGNITION}
server=${2:?}
helper=${3:?}
here=$(cd "$(dirname "$0")" && pwd)
skip() { echo "build-test-image: $*" >&2; exit 77; }

for tool in busybox mkfs.vfat mcopy mmd qemu-img dpkg-deb gzip; do
  command -v "$tool" >/dev/null 2>&1 || [ -x "/sbin/$tool" ] || skip "$tool is not installed (scripts/packages/libvirt.txt)"
done
[ -f /usr/lib/SYSLINUX.EFI/efi64/syslinux.efi ] || skip "syslinux.efi is not installed (package syslinux-efi)"
[ -f /usr/lib/syslinux/modules/efi64/ldlinux.e64 ] || skip "ldlinux.e64 is not installed (package syslinux-common)"
# Built with this tree (libvirt-test-tools): their absence is a broken build.
[ -x "$server" ] || { echo "build-test-image: $server was not built" >&2; exit 1; }
[ -x "$helper" ] || { echo "build-test-image: $helper was not built" >&2; exit 1; }
busybox_bin=$(command -v busybox)
# busybox-static: no shared libraries in the initramfs.
ldd "$busybox_bin" >/dev/null 2>&1 && skip "$busybox_bin is not static (package busybox-static)"

mkdir -p "$out"
out=$(cd "$out" && pwd)
image="$out/boot.qcow2"
inputs=("$here/fake-node-init.sh" "$here/udhcpc.sh" "$here/build-test-image.sh" "$server" "$helper")
if [ -f "$image" ]; then
  fresh=1
  for f in "${inputs[@]}"; do [ "$f" -nt "$image" ] && fresh=0; done
  if [ $fresh -eq 1 ]; then echo "$image"; exit 0; fi
fi

# The kernel: Debian's cloud flavour (small; virtio, fw_cfg and the serial
# console are all there), fetched once and kept in OUTDIR.
cd "$out"
if ! ls linux-image-*.deb >/dev/null 2>&1; then
  pkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null | awk '/Depends: linux-image-/{print $2; exit}')
  [ -n "$pkg" ] || skip "apt knows no linux-image-cloud-amd64 (run apt-get update)"
  apt-get download -q "$pkg" >/dev/null 2>&1 || skip "cannot download $pkg from the Debian archive"
fi
work=$(mktemp -d "$out/work.XXXXXX")
trap 'rm -rf "$work"' EXIT
dpkg-deb -x linux-image-*.deb "$work/kernel"
cp "$work"/kernel/boot/vmlinuz-* "$work/vmlinuz"

root="$work/initrd"
mkdir -p "$root"/{bin,lib/modules,proc,sys,dev,run,tmp,etc}
cp "$busybox_bin" "$root/bin/busybox"
cp "$server" "$root/bin/ocne-kube-test-server"
cp "$helper" "$root/bin/ocne-fake-ignition"
cp "$here/fake-node-init.sh" "$root/init"
cp "$here/udhcpc.sh" "$root/bin/udhcpc.sh"
chmod 0755 "$root/init" "$root/bin/"*
# Modules in load order (dependencies first).
modules="qemu_fw_cfg virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci failover net_failover virtio_net"
: > "$root/lib/modules/order"
for m in $modules; do
  f=$(find "$work/kernel/lib/modules" -name "$m.ko*" | head -1)
  [ -n "$f" ] || { echo "build-test-image: module $m is missing from the kernel package" >&2; exit 1; }
  case "$f" in
    *.xz) xz -dc "$f" > "$root/lib/modules/$m.ko" ;;
    *.zst) zstd -qdc "$f" > "$root/lib/modules/$m.ko" ;;
    *) cp "$f" "$root/lib/modules/$m.ko" ;;
  esac
  echo "$m" >> "$root/lib/modules/order"
done
(cd "$root" && find . | "$busybox_bin" cpio -o -H newc 2>/dev/null | gzip -1) > "$work/initrd.gz"

cat > "$work/syslinux.cfg" <<CFG
DEFAULT node
TIMEOUT 1
PROMPT 0
LABEL node
  KERNEL /vmlinuz
  INITRD /initrd.gz
  APPEND console=ttyS0 panic=-1 quiet
CFG
# FAT file system on the whole disk: UEFI finds \EFI\BOOT\BOOTX64.EFI there.
size_kib=$(( ($(stat -c %s "$work/vmlinuz") + $(stat -c %s "$work/initrd.gz")) / 1024 + 4096 ))
mkfs.vfat -C -n OCNETEST "$work/boot.img" "$size_kib" >/dev/null
mmd -i "$work/boot.img" ::/EFI ::/EFI/BOOT
mcopy -i "$work/boot.img" /usr/lib/SYSLINUX.EFI/efi64/syslinux.efi ::/EFI/BOOT/BOOTX64.EFI
mcopy -i "$work/boot.img" /usr/lib/syslinux/modules/efi64/ldlinux.e64 "$work/syslinux.cfg" ::/EFI/BOOT/
mcopy -i "$work/boot.img" "$work/vmlinuz" "$work/initrd.gz" ::/
qemu-img convert -O qcow2 "$work/boot.img" "$work/boot.qcow2"
mv "$work/boot.qcow2" "$image"
echo "$image"
