#!/usr/bin/env bash
# build.sh — the lab guest (test/lab/lib/guest.ts): Debian 12's own kernel, whose netfilter features are
# loadable modules (this VM's kernel has them built in and cannot load modules), and an initramfs that boots
# it on this host's root filesystem. Idempotent; called by setup.sh. Downloads one package (linux-image) from
# the Debian mirror apt uses, the first time only.
#   $GUEST_DIR/root      the package extracted (dpkg-deb -x), with modules.dep from depmod -b
#   $GUEST_DIR/initrd.gz busybox, the modules that mounting a 9p root needs, init.sh as /init
#   $GUEST_DIR/release   the kernel release (uname -r inside the guest)
#   $GUEST_DIR/ufw       Debian's ufw package extracted, for guests that install it in their own overlay (this
#                        host does not have ufw, and a ufw enabled in its namespace would cut it off)
# A change of init.sh or of this script rebuilds the initramfs only: the kernel stays while Debian's
# linux-image-amd64 still points at the package extracted.
set -euo pipefail
GUEST_DIR=${1:?usage: build.sh GUEST_DIR}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# virtio's PCI transport, 9p over it, and overlayfs, in dependency order (modules.dep of the package)
BOOT_MODULES=(virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci 9pnet 9pnet_virtio netfs fscache 9p overlay)
stamp="$(sha256sum "$here/init.sh" "$0" | sha256sum | cut -c1-16)"
if [ "$(cat "$GUEST_DIR/ready" 2>/dev/null || true)" = "$stamp" ]; then exit 0; fi

work=$(mktemp -d) && chmod 755 "$work" && trap 'rm -rf "$work"' EXIT
# The kernel Debian's linux-image-amd64 points at now.
kernel_package() { apt-cache depends linux-image-amd64 2>/dev/null | awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }'; }
package=$(kernel_package)
if [ -z "$package" ]; then timeout 600 apt-get update -qq && package=$(kernel_package); fi
[ -n "$package" ] || { echo "build.sh: apt-cache names no kernel package for linux-image-amd64" >&2; exit 1; }
release=${package#linux-image-}
if [ "$(cat "$GUEST_DIR/release" 2>/dev/null || true)" != "$release" ] || [ ! -f "$GUEST_DIR/root/boot/vmlinuz-$release" ]; then
  rm -rf "$GUEST_DIR" && install -d -m 755 "$GUEST_DIR"
  (cd "$work" && timeout 600 apt-get download -q "$package" >/dev/null)
  dpkg-deb -x "$work"/"$package"_*.deb "$GUEST_DIR/root"
  timeout 120 depmod -b "$GUEST_DIR/root" "$release"
  echo "$release" >"$GUEST_DIR/release"
fi
if [ ! -x "$GUEST_DIR/ufw/usr/sbin/ufw" ]; then
  (cd "$work" && timeout 600 apt-get download -q ufw >/dev/null)
  rm -rf "$GUEST_DIR/ufw" && dpkg-deb -x "$work"/ufw_*.deb "$GUEST_DIR/ufw"
fi
rm -f "$GUEST_DIR/ready"

tree="$GUEST_DIR/root/lib/modules/$release"
initrd="$work/initrd"
mkdir -p "$initrd"/{bin,modules,proc,sys,dev,lower,upper,root}
cp /bin/busybox "$initrd/bin/busybox"
for module in "${BOOT_MODULES[@]}"; do
  file=$(grep -E "(^|/)$module\.ko(\.xz)?:" "$tree/modules.dep" | head -n1 | cut -d: -f1)
  [ -n "$file" ] || { echo "build.sh: $module is not in $tree/modules.dep" >&2; exit 1; }
  case $file in
    *.ko) cp "$tree/$file" "$initrd/modules/$module.ko" ;;
    *.ko.xz) xz -dc "$tree/$file" >"$initrd/modules/$module.ko" ;;
    *) echo "build.sh: unexpected module file $file" >&2; exit 1 ;;
  esac
done
printf '%s\n' "${BOOT_MODULES[@]}" >"$initrd/boot-modules.txt"
install -m 755 "$here/init.sh" "$initrd/init"
(cd "$initrd" && find . | /bin/busybox cpio -o -H newc 2>/dev/null) | gzip -1 >"$GUEST_DIR/initrd.gz"
echo "$stamp" >"$GUEST_DIR/ready"
echo "guest kernel $release ($package) and initramfs in $GUEST_DIR"
