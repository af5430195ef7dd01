#!/usr/bin/env bash
# setup.sh — bring this Debian 12 host into the netdoctor lab baseline (idempotent; a second run
# changes nothing and takes a few seconds). Root only. No registry, no traffic off this machine.
#   - packages (installed only if dpkg-query says one is missing)
#   - /etc/containers/containers.conf with the VM workarounds (runc, ulimits)
#   - /dev/net/tun mode 666 (original mode recorded for teardown.sh)
#   - dockerd (started by hand when the socket does not answer)
#   - probe image netdoctor-probe from busybox-static, in 4 stores: rootful podman, docker,
#     the CNI lab store, rootless user ndlab
#   - rootless user ndlab (subuid/subgid, /run/user/<uid>)
#   - a separate rootful podman store on the CNI backend (see podman-cni.sh)
#   - fake outside host: netns ndext, 198.51.100.2 with httpd (/ok) and dnsmasq (ext.test)
#   - the lab guest: Debian 12's kernel (modular netfilter) and an initramfs for QEMU (guest/build.sh)
#   - the second lab generation's userland: Debian 13 with podman 5, docker 26, firewalld (gen2/build.sh;
#     cached in /var/lib/netdoctor-lab/gen2, built once)
# Ends with one summary line on stdout and /run/netdoctor-lab/ready.
set -euo pipefail
# shellcheck source=lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

require_root "$@"
take_lock
T0=$(date +%s.%N)
CHANGES=()   # what this run changed (empty on a warm run)
changed() { CHANGES+=("$1"); log "changed: $1"; }

on_exit() {
  local rc=$?
  if [ $rc -ne 0 ]; then rm -f "$LAB_READY"; log "setup FAILED (exit $rc); $LAB_READY removed"; fi
}
trap on_exit EXIT

install -d -m 755 "$LAB_STATE" "$LAB_RUN"

# ---------------------------------------------------------------- 1. packages
missing=()
for p in "${LAB_PACKAGES[@]}"; do
  st=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
  [[ $st == ii* ]] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  timeout 600 apt-get update -qq || die "apt-get update failed"
  timeout 900 apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null \
    || die "apt-get install ${missing[*]} failed"
  changed "packages ${missing[*]}"
fi

# ---------------------------------------------------------------- 2. containers.conf (rootful + rootless)
# The /etc file is read by rootless podman too (chain: /usr/share -> /etc -> ~/.config), so ndlab
# needs no ~/.config/containers/containers.conf.
want_conf="$LAB_MARKER
# VM workarounds: crun fails (cgroups hybrid mode), podman's default rlimits exceed the hard limits.
# network_backend is deliberately NOT set: podman keeps its default (netavark).
[containers]
default_ulimits = [\"nofile=1024:1024\", \"nproc=1024:1024\"]

[engine]
runtime = \"runc\"
"
install -d -m 755 /etc/containers
if [ -f "$CONTAINERS_CONF_ETC" ] && ! head -n1 "$CONTAINERS_CONF_ETC" | grep -qxF "$LAB_MARKER"; then
  if [ ! -e "$CONTAINERS_CONF_BACKUP" ]; then
    cp -a "$CONTAINERS_CONF_ETC" "$CONTAINERS_CONF_BACKUP"
    changed "backed up foreign $CONTAINERS_CONF_ETC to $CONTAINERS_CONF_BACKUP"
  fi
fi
if [ "$(cat "$CONTAINERS_CONF_ETC" 2>/dev/null || true)" != "${want_conf%$'\n'}" ]; then
  printf '%s' "$want_conf" >"$CONTAINERS_CONF_ETC.tmp.$$"
  chmod 644 "$CONTAINERS_CONF_ETC.tmp.$$"
  mv -f "$CONTAINERS_CONF_ETC.tmp.$$" "$CONTAINERS_CONF_ETC"
  changed "$CONTAINERS_CONF_ETC"
fi

# ---------------------------------------------------------------- 3. /dev/net/tun
[ -c /dev/net/tun ] || die "/dev/net/tun missing (no loadable modules on this VM: cannot create it)"
if [ ! -s "$LAB_STATE/tun.mode" ]; then
  stat -c %a /dev/net/tun >"$LAB_STATE/tun.mode"
fi
if [ "$(stat -c %a /dev/net/tun)" != 666 ]; then
  chmod 666 /dev/net/tun
  changed "/dev/net/tun mode $(cat "$LAB_STATE/tun.mode") -> 666"
fi

# ---------------------------------------------------------------- 4. dockerd
if ! docker_up; then
  if [ -S "$DOCKER_SOCK" ] && pgrep -x dockerd >/dev/null; then
    log "dockerd runs but $DOCKER_SOCK does not answer yet: waiting"
  else
    # /run survives reboots here: a stale pid file naming some other live process stops dockerd
    if [ -s /var/run/docker.pid ] && ! pgrep -x dockerd >/dev/null; then
      rm -f /var/run/docker.pid; log "removed stale /var/run/docker.pid"
    fi
    log "starting dockerd (log: $DOCKERD_LOG)"
    ( close_inherited_fds; exec setsid dockerd >>"$DOCKERD_LOG" 2>&1 </dev/null ) &
    changed "started dockerd (pid $!)"
  fi
  wait_until 60 "docker info" docker_up || die "dockerd did not answer within 60 s; see $DOCKERD_LOG"
fi
DOCKER_SERVER=$(timeout 10 "$DOCKER" version --format '{{.Server.Version}}')
ALT_CLIENT=none
if [ -x /usr/local/bin/docker ]; then
  if timeout 10 /usr/local/bin/docker info >/dev/null 2>&1; then
    ALT_CLIENT="/usr/local/bin/docker $(timeout 10 /usr/local/bin/docker version --format '{{.Client.Version}}' 2>/dev/null || echo '?') works"
  else
    ALT_CLIENT="/usr/local/bin/docker does NOT work with this dockerd"
  fi
fi
[ "$(cat "$LAB_RUN/docker-client" 2>/dev/null || true)" = "$DOCKER" ] || printf '%s\n' "$DOCKER" >"$LAB_RUN/docker-client"

# ---------------------------------------------------------------- 5. rootless user ndlab
if ! id -u "$LAB_USER" >/dev/null 2>&1; then
  uid=$LAB_UID_WANTED
  while getent passwd "$uid" >/dev/null || getent group "$uid" >/dev/null; do uid=$((uid + 1)); done
  getent group "$LAB_USER" >/dev/null || groupadd -g "$uid" "$LAB_USER"
  useradd -m -u "$uid" -g "$LAB_USER" -s /bin/bash -c "netdoctor lab rootless user" "$LAB_USER"
  changed "user $LAB_USER uid $uid"
fi
LUID=$(id -u "$LAB_USER"); LGID=$(id -g "$LAB_USER"); LHOME=$(getent passwd "$LAB_USER" | cut -d: -f6)
[ -d "$LHOME" ] || { install -d -m 755 -o "$LUID" -g "$LGID" "$LHOME"; changed "home $LHOME"; }
# subordinate ids: 65536 ids after every range already allocated (>= 100000)
for f in /etc/subuid /etc/subgid; do
  [ -e "$f" ] || install -m 644 /dev/null "$f"
  if ! grep -qE "^($LAB_USER|$LUID):" "$f"; then
    start=$(awk -F: 'BEGIN{m=100000} NF>=3 {e=$2+$3; if (e>m) m=e} END{print m}' "$f")
    printf '%s:%s:65536\n' "$LAB_USER" "$start" >>"$f"
    changed "$f $LAB_USER:$start:65536"
  fi
done
if [ ! -d "/run/user/$LUID" ] || [ "$(stat -c '%u %a' "/run/user/$LUID")" != "$LUID 700" ]; then
  install -d -m 755 /run/user
  install -d -m 700 -o "$LUID" -g "$LGID" "/run/user/$LUID"
  chown "$LUID:$LGID" "/run/user/$LUID"; chmod 700 "/run/user/$LUID"
  changed "/run/user/$LUID"
fi
# a user namespace created before the subuid entry existed keeps a 1-id mapping: migrate it
if [ "$(asuser podman unshare cat /proc/self/uid_map 2>/dev/null | wc -l)" -lt 2 ]; then
  asuser podman system migrate >/dev/null 2>&1 || true
  [ "$(asuser podman unshare cat /proc/self/uid_map | wc -l)" -ge 2 ] \
    || die "rootless podman for $LAB_USER has no subordinate uid mapping"
  changed "podman system migrate for $LAB_USER"
fi

# ---------------------------------------------------------------- 6. CNI store config
install -d -m 755 "$CNI_CONF_DIR"
want_cni_conf="$LAB_MARKER
# Used by podman-cni.sh through CONTAINERS_CONF, which REPLACES the whole containers.conf chain:
# Debian's /usr/share/containers/containers.conf defaults are repeated here.
[containers]
default_capabilities = [\"CHOWN\", \"DAC_OVERRIDE\", \"FOWNER\", \"FSETID\", \"KILL\", \"NET_BIND_SERVICE\",
  \"SETFCAP\", \"SETGID\", \"SETPCAP\", \"SETUID\", \"SYS_CHROOT\"]
default_sysctls = [\"net.ipv4.ping_group_range=0 0\"]
default_ulimits = [\"nofile=1024:1024\", \"nproc=1024:1024\"]

[network]
network_backend = \"cni\"

[engine]
runtime = \"runc\"
# own tmp dir: sharing /run/libpod with the netavark store would share its 'alive' (reboot) marker
tmp_dir = \"$CNI_TMPDIR\"
"
want_cni_storage="$LAB_MARKER
[storage]
driver = \"overlay\"
graphroot = \"$CNI_GRAPHROOT\"
runroot = \"$CNI_RUNROOT\"
"
if [ "$(cat "$CNI_CONTAINERS_CONF" 2>/dev/null || true)" != "${want_cni_conf%$'\n'}" ]; then
  printf '%s' "$want_cni_conf" >"$CNI_CONTAINERS_CONF"; changed "$CNI_CONTAINERS_CONF"
fi
if [ "$(cat "$CNI_STORAGE_CONF" 2>/dev/null || true)" != "${want_cni_storage%$'\n'}" ]; then
  printf '%s' "$want_cni_storage" >"$CNI_STORAGE_CONF"; changed "$CNI_STORAGE_CONF"
fi
CNI_BACKEND=$(podcni info --format '{{.Host.NetworkBackend}}' 2>/dev/null) || die "podman-cni.sh info failed"
[ "$CNI_BACKEND" = cni ] || die "podman-cni.sh reports network backend '$CNI_BACKEND', expected cni"
NV_BACKEND=$(pod info --format '{{.Host.NetworkBackend}}' 2>/dev/null) || die "podman info failed"
[ "$NV_BACKEND" = netavark ] || log "WARNING: default rootful podman uses backend '$NV_BACKEND', not netavark"

# ---------------------------------------------------------------- 7. probe image
# rootfs: static busybox with every applet linked, /www/ok, minimal passwd/group. A deterministic
# tar (sorted, fixed mtime/owner) -> its sha256 says whether a store needs a re-import.
PROBE_BUILD_VERSION=1   # bump when the rootfs recipe below changes
probe_key="v$PROBE_BUILD_VERSION $(sha256sum /bin/busybox | cut -c1-64)"
if [ ! -s "$PROBE_DIR/probe.tar" ] || [ "$(cat "$PROBE_DIR/probe.key" 2>/dev/null || true)" != "$probe_key" ]; then
  install -d -m 755 "$PROBE_DIR"
  rootfs=$PROBE_DIR/rootfs
  rm -rf "$rootfs"
  install -d -m 755 "$rootfs"/{bin,etc,www,root,proc,sys,dev}
  install -d -m 1777 "$rootfs/tmp"
  install -m 755 /bin/busybox "$rootfs/bin/busybox"
  for a in $(/bin/busybox --list); do
    [ "$a" = busybox ] || ln -s busybox "$rootfs/bin/$a"
  done
  for a in sh ping nslookup wget nc httpd ip sleep cat timeout; do
    [ -L "$rootfs/bin/$a" ] || die "busybox-static lacks applet $a"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"
  printf 'ok\n' >"$rootfs/www/ok"
  chmod 644 "$rootfs/etc/passwd" "$rootfs/etc/group" "$rootfs/www/ok"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$rootfs" -cf "$PROBE_DIR/probe.tar.new" .
  mv -f "$PROBE_DIR/probe.tar.new" "$PROBE_DIR/probe.tar"
  rm -rf "$rootfs"
  printf '%s\n' "$probe_key" >"$PROBE_DIR/probe.key"
  changed "probe rootfs tar built"
fi
PROBE_SHA=$(sha256sum "$PROBE_DIR/probe.tar" | cut -c1-64)
IMPORT_CHANGES=(--change 'CMD ["/bin/sh"]' --change 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin')

# ensure_image STORE EXISTS_CMD... -- IMPORT_CMD...
ensure_image() {
  local store=$1; shift
  local exists=() import=()
  while [ "$1" != -- ]; do exists+=("$1"); shift; done; shift
  import=("$@")
  local mark=$PROBE_DIR/imported.$store
  if "${exists[@]}" >/dev/null 2>&1 && [ "$(cat "$mark" 2>/dev/null || true)" = "$PROBE_SHA" ]; then
    return 0
  fi
  local out
  out=$("${import[@]}" <"$PROBE_DIR/probe.tar" 2>&1) || { printf '%s\n' "$out" >&2; die "importing the probe image into $store failed"; }
  printf '%s\n' "$PROBE_SHA" >"$mark"
  changed "probe image imported into $store"
}
ensure_image podman pod image exists "$PROBE_PODMAN" -- \
  pod import "${IMPORT_CHANGES[@]}" - "$PROBE_PODMAN"
ensure_image docker dock image inspect "$PROBE_DOCKER" -- \
  dock import "${IMPORT_CHANGES[@]}" - "$PROBE_DOCKER"
ensure_image cni podcni image exists "$PROBE_PODMAN" -- \
  podcni import "${IMPORT_CHANGES[@]}" - "$PROBE_PODMAN"
ensure_image "rootless-$LAB_USER" asuser podman image exists "$PROBE_PODMAN" -- \
  asuser podman import "${IMPORT_CHANGES[@]}" - "$PROBE_PODMAN"

# ---------------------------------------------------------------- 8. fake outside host (netns ndext)
if [ -z "$(ext_ns_ino)" ]; then
  if [ -e "/run/netns/$EXT_NS" ]; then
    ip netns del "$EXT_NS" 2>/dev/null || rm -f "/run/netns/$EXT_NS"; changed "stale /run/netns/$EXT_NS removed"
  fi
  ip netns add "$EXT_NS"; changed "netns $EXT_NS"
fi
if ! ip -n "$EXT_NS" link show "$EXT_NS_IF" >/dev/null 2>&1 || ! ip link show "$EXT_HOST_IF" >/dev/null 2>&1; then
  ip link del "$EXT_HOST_IF" 2>/dev/null || true
  ip -n "$EXT_NS" link del "$EXT_NS_IF" 2>/dev/null || true
  ip link add "$EXT_HOST_IF" type veth peer name "$EXT_NS_IF" netns "$EXT_NS"
  changed "veth $EXT_HOST_IF <-> $EXT_NS/$EXT_NS_IF"
fi
ensure_addr() { # NETNS_ARGS... -- DEV CIDR
  local ns=(); while [ "$1" != -- ]; do ns+=("$1"); shift; done; shift
  if ! ip "${ns[@]}" -4 -o addr show dev "$1" | grep -qw "inet $2"; then
    ip "${ns[@]}" addr replace "$2" dev "$1"; changed "address $2 on $1"
  fi
}
ensure_up() { # NETNS_ARGS... -- DEV
  local ns=(); while [ "$1" != -- ]; do ns+=("$1"); shift; done; shift
  if ! ip "${ns[@]}" -o link show dev "$1" | grep -q '[<,]UP[,>]'; then
    ip "${ns[@]}" link set "$1" up; changed "link $1 up"
  fi
}
ensure_addr -- "$EXT_HOST_IF" "$EXT_HOST_IP/$EXT_PREFIX"
ensure_up -- "$EXT_HOST_IF"
ensure_addr -n "$EXT_NS" -- "$EXT_NS_IF" "$EXT_IP/$EXT_PREFIX"
ensure_up -n "$EXT_NS" -- lo
ensure_up -n "$EXT_NS" -- "$EXT_NS_IF"
# default route to the host, but like a real upstream no way back to private (container) subnets:
# replies to an un-NATed 10.x/172.16.x/192.168.x source are unreachable, so egress needs masquerading
ensure_route() { # "SHOW-SELECTOR" ROUTE-SPEC... (inside ndext)
  local sel=$1; shift
  # shellcheck disable=SC2086
  if ! ip -n "$EXT_NS" -4 route show $sel | grep -q .; then
    ip -n "$EXT_NS" route replace "$@"; changed "ndext route $*"
  fi
}
ensure_route "exact 0.0.0.0/0 via $EXT_HOST_IP" default via "$EXT_HOST_IP" dev "$EXT_NS_IF"
for net in 10.0.0.0/8 172.16.0.0/12 192.168.0.0/16; do
  ensure_route "exact $net type unreachable" unreachable "$net"
done

install -d -m 755 "$EXT_WWW"
[ "$(cat "$EXT_WWW/ok" 2>/dev/null || true)" = ok ] || { printf 'ok\n' >"$EXT_WWW/ok"; changed "$EXT_WWW/ok"; }
chmod 644 "$EXT_WWW/ok"

ext_listens() { # PROTO PORT
  ip netns exec "$EXT_NS" ss -Hln"${1:0:1}" "sport = :$2" | grep -q "$EXT_IP:$2"
}
if ! pid_in_ext "$EXT_HTTPD_PID" busybox httpd; then
  rm -f "$EXT_HTTPD_PID"
  ( close_inherited_fds; exec setsid ip netns exec "$EXT_NS" /bin/busybox httpd -f -p "$EXT_IP:80" -h "$EXT_WWW" \
    >>"$EXT_HTTPD_LOG" 2>&1 </dev/null ) &
  echo $! >"$EXT_HTTPD_PID"
  wait_until 10 "httpd in $EXT_NS" ext_listens tcp 80 || die "httpd in $EXT_NS did not start; see $EXT_HTTPD_LOG"
  changed "httpd in $EXT_NS (pid $(cat "$EXT_HTTPD_PID"))"
fi
if ! pid_in_ext "$EXT_DNSMASQ_PID" dnsmasq; then
  rm -f "$EXT_DNSMASQ_PID"
  # daemonized; answers ext.test only, never forwards (no upstream servers at all)
  no_inherited_fds ip netns exec "$EXT_NS" timeout 10 dnsmasq --conf-file=/dev/null --pid-file="$EXT_DNSMASQ_PID" \
    --user=root --no-resolv --no-hosts --no-poll --bind-interfaces --listen-address="$EXT_IP" \
    --port=53 --local=/test/ --address=/ext.test/"$EXT_IP" --log-queries \
    --log-facility="$EXT_DNSMASQ_LOG" || die "dnsmasq in $EXT_NS failed; see $EXT_DNSMASQ_LOG"
  wait_until 10 "dnsmasq in $EXT_NS" ext_listens udp 53 || die "dnsmasq in $EXT_NS did not listen"
  changed "dnsmasq in $EXT_NS (pid $(cat "$EXT_DNSMASQ_PID"))"
fi

# ---------------------------------------------------------------- 9. the lab guest's kernel and initramfs
guest_built=$(no_inherited_fds "$LAB_ENV_DIR/guest/build.sh" "$LAB_STATE/guest") || die "building the lab guest failed"
[ -z "$guest_built" ] || changed "$guest_built"
GUEST_RELEASE=$(cat "$LAB_STATE/guest/release")

# ---------------------------------------------------------------- 10. the second generation's userland
gen2_built=$(no_inherited_fds "$LAB_ENV_DIR/gen2/build.sh") || die "building the gen2 userland failed"
while read -r line; do [ -z "$line" ] || changed "$line"; done <<<"$gen2_built"
GEN2_VERSIONS=$(cat "$LAB_STATE/gen2/versions")

# ---------------------------------------------------------------- 11. summary
T1=$(date +%s.%N)
secs=$(awk -v a="$T0" -v b="$T1" 'BEGIN{printf "%.1f", b-a}')
PODMAN_V=$(podman --version | awk '{print $3}')
ready="netdoctor-lab ready: podman $PODMAN_V (rootful $NV_BACKEND; CNI store via podman-cni.sh), docker $DOCKER_SERVER via $DOCKER ($ALT_CLIENT), rootless $LAB_USER uid $LUID (XDG_RUNTIME_DIR=/run/user/$LUID, via as-user.sh), probe image $PROBE_PODMAN / $PROBE_DOCKER sha256 ${PROBE_SHA:0:12}, outside host $EXT_IP in netns $EXT_NS (http /ok, dns ext.test), /dev/net/tun 666, guest kernel $GUEST_RELEASE, gen2 userland (${GEN2_VERSIONS:-versions unknown})"
# /run is not a tmpfs on these VMs: the marker names the boot it is valid for
ready_file="$ready
boot_id=$(cat /proc/sys/kernel/random/boot_id)"
if [ "$(cat "$LAB_READY" 2>/dev/null || true)" != "$ready_file" ]; then printf '%s\n' "$ready_file" >"$LAB_READY"; fi
echo "$ready; ${#CHANGES[@]} change(s) in ${secs}s"
