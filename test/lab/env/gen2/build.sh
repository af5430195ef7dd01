#!/usr/bin/env bash
# build.sh — the second lab generation's userland: Debian 13 (trixie) built with debootstrap into
# /var/lib/netdoctor-lab/gen2/rootfs, configured for this VM kind, with the probe image in its three stores
# (rootful podman, docker, ndlab's rootless podman). Idempotent; called by setup.sh. Prints one line per
# stage it had to do, nothing when the cached userland is current.
#   stage userland   debootstrap + apt-get inside (the .deb files stay in gen2/debs: a rebuild downloads nothing)
#   stage configure  containers.conf, storage.conf, daemon.json, user ndlab, resolv.conf, the probe images
# Each stage writes a key (its recipe's hash); a changed recipe redoes that stage and the ones after it.
# The mirror is the one this host's apt uses, read from its sources at run time.
set -euo pipefail
# shellcheck source=../lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/lib.sh"
# shellcheck source=lib.sh
. "$LAB_ENV_DIR/gen2/lib.sh"

require_root "$@"
install -d -m 755 "$GEN2_DIR" "$GEN2_DEBS"

# Bumped when what a stage does changes in a way its inputs below do not show.
USERLAND_RECIPE=1
CONFIGURE_RECIPE=1
userland_key="v$USERLAND_RECIPE ${GEN2_SUITE} ${GEN2_BASE_PACKAGES[*]} | ${GEN2_EXTRA_PACKAGES[*]} | ${GEN2_OPTIONAL_PACKAGES[*]}"
configure_key="v$CONFIGURE_RECIPE $(sha256sum "$GEN2_HERE/configure.sh" | cut -c1-16)"

# chroot_run SECONDS ROOT CMD...: a command in the userland with /proc and the .deb cache mounted, in a
# mount namespace of its own (the mounts end with it); services are not started (policy-rc.d).
chroot_run() {
  local seconds=$1 root=$2; shift 2
  no_inherited_fds timeout "$seconds" unshare --mount --propagation private -- sh -c '
    root=$1; debs=$2; shift 2
    mount -t proc proc "$root/proc" && mount --bind "$debs" "$root/var/cache/apt/archives" && exec chroot "$root" "$@"
  ' chroot_run "$root" "$GEN2_DEBS" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C DEBIAN_FRONTEND=noninteractive "$@"
}

userland_current() { [ "$(cat "$GEN2_DIR/userland.key" 2>/dev/null || true)" = "$userland_key" ] && [ -x "$GEN2_ROOTFS/usr/bin/podman" ]; }
configure_current() { [ "$(cat "$GEN2_DIR/configure.key" 2>/dev/null || true)" = "$configure_key" ]; }
# An environment left by a killed run has the userland as its lower layer: it ends before the userland changes.
if ! userland_current || ! configure_current; then
  no_inherited_fds bash "$GEN2_HERE/stop.sh" --stale >&2 || die "could not end the environments of an earlier run"
fi

if ! userland_current; then
  t0=$(date +%s)
  # setup.sh installs them (LAB_PACKAGES); without wget debootstrap fails with "Couldn't download .../Packages"
  for tool in debootstrap wget; do command -v "$tool" >/dev/null || die "$tool is not installed: run test/lab/env/setup.sh"; done
  mirror=$(debian_mirror) || die "no Debian mirror found in this host's apt sources"
  rm -f "$GEN2_DIR/userland.key" "$GEN2_DIR/configure.key"
  new=$GEN2_DIR/rootfs.new
  rm -rf "$new"
  include=$(IFS=,; echo "${GEN2_BASE_PACKAGES[*]}")
  no_inherited_fds timeout 1800 debootstrap --variant=minbase --cache-dir="$GEN2_DEBS" --include="$include" \
    "$GEN2_SUITE" "$new" "$mirror" >"$GEN2_DIR/debootstrap.log" 2>&1 \
    || die "debootstrap failed; see $GEN2_DIR/debootstrap.log"
  printf 'deb %s %s main\n' "$mirror" "$GEN2_SUITE" >"$new/etc/apt/sources.list"
  printf '#!/bin/sh\nexit 101\n' >"$new/usr/sbin/policy-rc.d" && chmod 755 "$new/usr/sbin/policy-rc.d"
  chroot_run 600 "$new" apt-get update -q >>"$GEN2_DIR/debootstrap.log" 2>&1 || die "apt-get update in the userland failed"
  extra=("${GEN2_EXTRA_PACKAGES[@]}")
  absent=()
  for package in "${GEN2_OPTIONAL_PACKAGES[@]}"; do
    if [ -n "$(chroot_run 60 "$new" apt-cache policy "$package" 2>/dev/null | awk '/Candidate:/ && $2 != "(none)"')" ]; then
      extra+=("$package")
    else
      absent+=("$package")
    fi
  done
  chroot_run 1800 "$new" apt-get install -y -q --no-install-recommends "${extra[@]}" >>"$GEN2_DIR/debootstrap.log" 2>&1 \
    || die "apt-get install ${extra[*]} in the userland failed; see $GEN2_DIR/debootstrap.log"
  rm -rf "$new/var/lib/apt/lists/"*
  printf '%s\n' "${absent[@]}" >"$new/etc/netdoctor-lab-absent-packages"
  rm -rf "$GEN2_ROOTFS"
  mv "$new" "$GEN2_ROOTFS"
  printf '%s\n' "$userland_key" >"$GEN2_DIR/userland.key"
  echo "gen2 userland: Debian $GEN2_SUITE built in $(( $(date +%s) - t0 )) s ($(du -sm "$GEN2_ROOTFS" | cut -f1) MB; not in $GEN2_SUITE: ${absent[*]:-none})"
fi

if ! configure_current; then
  t0=$(date +%s)
  rm -f "$GEN2_DIR/configure.key"
  no_inherited_fds bash "$GEN2_HERE/configure.sh" "$GEN2_ROOTFS" >"$GEN2_DIR/configure.log" 2>&1 \
    || { tail -n 20 "$GEN2_DIR/configure.log" >&2; die "configuring the gen2 userland failed; see $GEN2_DIR/configure.log"; }
  tail -n 1 "$GEN2_DIR/configure.log" >"$GEN2_DIR/versions"
  printf '%s\n' "$configure_key" >"$GEN2_DIR/configure.key"
  echo "gen2 userland configured in $(( $(date +%s) - t0 )) s ($(cat "$GEN2_DIR/versions"))"
fi
