#!/usr/bin/env bash
# configure.sh ROOTFS — the gen2 userland made ready for the lab (build.sh runs it; idempotent):
#   - /etc/containers/containers.conf: runc and the ulimits of this VM kind, as on generation 1; network
#     backend and firewall driver left to podman's defaults
#   - /etc/containers/storage.conf: vfs (overlay over this disk fails) with runroot and graphroot set
#   - /etc/docker/daemon.json: vfs
#   - resolv.conf naming the fake outside host's DNS (198.51.100.2), hosts, user ndlab with subuid/subgid
#   - the probe image from the userland's own busybox-static, imported into rootful podman, docker and
#     ndlab's rootless podman inside an environment started on ROOTFS itself (direct mode)
set -euo pipefail
# shellcheck source=../lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/lib.sh"
# shellcheck source=lib.sh
. "$LAB_ENV_DIR/gen2/lib.sh"
root=${1:?usage: configure.sh ROOTFS}

write() { # PATH CONTENT: writes a file of the userland (mode 644)
  install -d -m 755 "$(dirname "$root$1")"
  printf '%s' "$2" >"$root$1"
  chmod 644 "$root$1"
}

write /etc/containers/containers.conf "$LAB_MARKER
# VM workarounds, as on generation 1: crun fails (cgroups hybrid mode), podman's default rlimits exceed the
# hard limits. network_backend and netavark's firewall_driver are deliberately NOT set.
[containers]
default_ulimits = [\"nofile=1024:1024\", \"nproc=1024:1024\"]

[engine]
runtime = \"runc\"
"
write /etc/containers/storage.conf "$LAB_MARKER
# overlay over this VM's disk fails: vfs. runroot and graphroot explicit (rootless podman keeps its own).
[storage]
driver = \"vfs\"
runroot = \"/run/containers/storage\"
graphroot = \"/var/lib/containers/storage\"
"
write /etc/docker/daemon.json '{ "storage-driver": "vfs" }
'
# The environment's resolver is the fake outside host's dnsmasq: nothing a lookup asks leaves the machine.
write /etc/resolv.conf 'nameserver 198.51.100.2
'
write /etc/hosts '127.0.0.1 localhost
127.0.1.1 ndl-gen2
::1 localhost ip6-localhost ip6-loopback
'
write /etc/hostname 'ndl-gen2
'

if ! chroot "$root" id -u "$LAB_USER" >/dev/null 2>&1; then
  chroot "$root" groupadd -g "$LAB_UID_WANTED" "$LAB_USER"
  chroot "$root" useradd -m -u "$LAB_UID_WANTED" -g "$LAB_USER" -s /bin/bash -c "netdoctor lab rootless user" "$LAB_USER"
fi
for file in /etc/subuid /etc/subgid; do
  grep -q "^$LAB_USER:" "$root$file" 2>/dev/null || printf '%s:100000:65536\n' "$LAB_USER" >>"$root$file"
done

# ---------------------------------------------------------------- the probe image
probe=$(mktemp -d)
job=''
cleanup() {
  rm -rf "$probe"
  if [ -n "$job" ]; then gen2_stop "$job"; fi
}
trap cleanup EXIT
image=$probe/rootfs
install -d -m 755 "$image"/{bin,etc,www,root,proc,sys,dev}
install -d -m 1777 "$image/tmp"
install -m 755 "$root/bin/busybox" "$image/bin/busybox"
# relative links, and none for busybox itself (a self-link makes every exec fail: too many levels of links)
for applet in $("$root/bin/busybox" --list); do
  [ "$applet" = busybox ] || ln -s busybox "$image/bin/$applet"
done
for applet in sh ping nslookup wget nc httpd ip sleep cat timeout; do
  [ -L "$image/bin/$applet" ] || die "busybox-static of the gen2 userland lacks applet $applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$image/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$image/etc/group"
printf 'ok\n' >"$image/www/ok"
chmod 644 "$image/etc/passwd" "$image/etc/group" "$image/www/ok"

job=$(gen2_start direct --docker) || die "could not start an environment on $root"
share=$job/share
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$image" -cf "$share/probe.tar" .
chmod 644 "$share/probe.tar"
changes=(--change 'CMD ["/bin/sh"]' --change 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin')
in_env() { gen2_exec "$job" "$@"; }
in_env podman import "${changes[@]}" "$share/probe.tar" "$PROBE_PODMAN" >/dev/null
in_env install -d -m 700 -o "$LAB_UID_WANTED" -g "$LAB_UID_WANTED" "/run/user/$LAB_UID_WANTED"
# docker 26's import has no -q
in_env docker import "${changes[@]}" "$share/probe.tar" "$PROBE_DOCKER" >/dev/null
in_env runuser -u "$LAB_USER" -- env -i HOME="/home/$LAB_USER" USER="$LAB_USER" LOGNAME="$LAB_USER" \
  PATH=/usr/local/bin:/usr/bin:/bin XDG_RUNTIME_DIR="/run/user/$LAB_UID_WANTED" PODMAN_IGNORE_CGROUPSV1_WARNING=1 \
  sh -c 'cd && podman import "$@" >/dev/null' import "${changes[@]}" "$share/probe.tar" "$PROBE_PODMAN" \
  || die "rootless import failed"
versions=$(in_env sh -c 'printf "podman %s, netavark %s, docker %s, busybox %s" "$(podman --version | cut -d" " -f3)" "$(/usr/lib/podman/netavark --version | cut -d" " -f2)" "$(docker version --format "{{.Server.Version}}")" "$(busybox | head -n1 | cut -d" " -f2)"')
# dockerd ends cleanly (its state on disk stays consistent), then the environment
in_env sh -c 'kill -TERM "$(cat /var/run/docker.pid)"; for i in $(seq 100); do [ -e /var/run/docker.pid ] || exit 0; sleep 0.2; done; exit 1' \
  || log "WARNING: dockerd did not stop within 20 s"
gen2_stop "$job"
job=''
echo "probe image imported into 3 stores"
echo "$versions"
