# shellcheck shell=bash
# shellcheck disable=SC2034  # variables are used by the scripts that source this file
# Shared definitions for the netdoctor lab scripts (test/lab/env/*.sh). Sourced, never executed.
# Everything here stays on this machine: the only addresses used are the lab's own
# (container subnets and the fake outside host 198.51.100.0/24).

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export LC_ALL=C

LAB_ENV_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

LAB_STATE=/var/lib/netdoctor-lab            # persistent lab state (tun mode, image hashes, www root)
LAB_RUN=/run/netdoctor-lab                  # runtime state (pid files, ready marker, CNI runroot)
LAB_READY=$LAB_RUN/ready
LAB_LOCK=/run/netdoctor-lab.lock

# packages (all named explicitly: podman's Recommends are not pulled with --no-install-recommends)
LAB_PACKAGES=(podman conmon runc netavark aardvark-dns containernetworking-plugins
  golang-github-containernetworking-plugin-dnsname dnsmasq-base slirp4netns uidmap
  busybox-static docker.io iptables nftables jq iproute2 util-linux passwd procps
  kmod qemu-system-x86 debootstrap wget)

CONTAINERS_CONF_ETC=/etc/containers/containers.conf
CONTAINERS_CONF_BACKUP=/etc/containers/containers.conf.netdoctor-orig
LAB_MARKER="# netdoctor-lab: managed by test/lab/env/setup.sh"

# CNI backend store (rootful podman), fully separate from the default netavark store
CNI_CONF_DIR=/etc/netdoctor-lab/cni
CNI_CONTAINERS_CONF=$CNI_CONF_DIR/containers.conf
CNI_STORAGE_CONF=$CNI_CONF_DIR/storage.conf
CNI_GRAPHROOT=$LAB_STATE/cni-storage
CNI_RUNROOT=$LAB_RUN/cni-runroot
CNI_TMPDIR=$LAB_RUN/cni-tmp

# probe image
PROBE_PODMAN=localhost/netdoctor-probe:latest
PROBE_DOCKER=netdoctor-probe:latest
PROBE_DIR=$LAB_STATE/probe

# rootless user
LAB_USER=ndlab
LAB_UID_WANTED=1500

# fake outside host
EXT_NS=ndext
EXT_HOST_IF=ndup
EXT_NS_IF=ndup-x
EXT_HOST_IP=198.51.100.1
EXT_IP=198.51.100.2
EXT_PREFIX=24
EXT_WWW=$LAB_STATE/www
EXT_HTTPD_PID=$LAB_RUN/ndext-httpd.pid
EXT_DNSMASQ_PID=$LAB_RUN/ndext-dnsmasq.pid
EXT_HTTPD_LOG=/var/log/netdoctor-lab-ndext-httpd.log
EXT_DNSMASQ_LOG=/var/log/netdoctor-lab-ndext-dnsmasq.log

DOCKERD_LOG=/var/log/netdoctor-lab-dockerd.log
DOCKER_SOCK=/var/run/docker.sock
# The Debian client matches dockerd 20.10. /usr/local/bin/docker (28.x) also works (API downgraded to
# 1.41) but its `docker info` no longer has BridgeNfIptables/BridgeNfIp6tables: the lab uses /usr/bin/docker.
DOCKER=/usr/bin/docker

# lab object names: only these are ever removed by teardown.sh
LAB_NAME_RE='^(nd|netdoctor-)'

log()  { printf '[netdoctor-lab] %s\n' "$*" >&2; }
die()  { printf '[netdoctor-lab] ERROR: %s\n' "$*" >&2; exit 1; }

require_root() {
  [ "$(id -u)" -eq 0 ] || die "$(basename "$0") must run as root (try: sudo $0 $*)"
}

# take the lab lock (setup/teardown never run concurrently); bounded wait. Every daemon and engine
# call is started through no_inherited_fds, or it keeps the lock forever.
take_lock() {
  exec 9>"$LAB_LOCK"
  flock -w 300 9 || die "another lab setup/teardown holds $LAB_LOCK for more than 300 s"
}

# wait_until SECONDS DESCRIPTION CMD... : poll CMD every 0.5 s, at most SECONDS*2 times
wait_until() {
  local secs=$1 desc=$2 i; shift 2
  for ((i = 0; i < secs * 2; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  log "timed out after ${secs}s waiting for: $desc"
  return 1
}

# no_inherited_fds CMD... : CMD with stdin, stdout and stderr only. A daemon it starts (dockerd, httpd,
# podman's rootless pause process, aardvark-dns) would otherwise keep every lock descriptor this script
# holds or inherited: its own lab lock on fd 9, and the lab-run lock of a `flock FILE setup.sh` wrapper
# (fd 3), so that lock would never be free again while the daemon runs.
# close_inherited_fds closes them in the shell it runs in: only ever in a subshell, as in
# `( close_inherited_fds; exec DAEMON ) &`, which keeps $! the daemon's pid.
close_inherited_fds() {
  local fd
  for fd in $(ls "/proc/$BASHPID/fd"); do
    if [ "$fd" -gt 2 ]; then eval "exec $fd>&-"; fi
  done
}
no_inherited_fds() { ( close_inherited_fds; exec "$@" ); }

# podman with a timeout (a stuck lock must not hang the lab)
pod()    { no_inherited_fds timeout 120 podman "$@"; }
podcni() { no_inherited_fds timeout 120 "$LAB_ENV_DIR/podman-cni.sh" "$@"; }
dock()   { no_inherited_fds timeout 120 "$DOCKER" "$@"; }
asuser() { no_inherited_fds timeout 120 "$LAB_ENV_DIR/as-user.sh" "$LAB_USER" "$@"; }

docker_up() { timeout 10 "$DOCKER" info >/dev/null 2>&1; }

lab_uid() { id -u "$LAB_USER" 2>/dev/null; }

# inode of the ndext netns (empty if absent)
# (/run is on the root disk here, not tmpfs: after a reboot or a restored machine /run/netns/ndext can
# be a plain leftover file, so only an nsfs mount counts)
ext_ns_ino() {
  if [ "$(stat -f -c %T "/run/netns/$EXT_NS" 2>/dev/null)" = nsfs ]; then
    stat -L -c %i "/run/netns/$EXT_NS" 2>/dev/null || true
  fi
}

# pid_in_ext PIDFILE COMM... : true if the pid file names a live process with one of the given
# comm names that lives in the ndext netns
pid_in_ext() {
  local pidfile=$1 pid comm ino want; shift
  [ -s "$pidfile" ] || return 1
  pid=$(tr -dc '0-9' <"$pidfile")
  [ -n "$pid" ] && [ -d "/proc/$pid" ] || return 1
  comm=$(cat "/proc/$pid/comm" 2>/dev/null) || return 1
  ino=$(ext_ns_ino); [ -n "$ino" ] || return 1
  [ "$(readlink "/proc/$pid/ns/net" 2>/dev/null)" = "net:[$ino]" ] || return 1
  for want in "$@"; do [ "$comm" = "$want" ] && return 0; done
  return 1
}

# list names matching the lab pattern from stdin
lab_names() { grep -E "$LAB_NAME_RE" || true; }
