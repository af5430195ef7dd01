#!/usr/bin/env bash
# teardown.sh [--purge] — undo the lab's runtime state (idempotent):
#   - containers and networks named nd* / netdoctor-* in: rootful podman (netavark), the CNI lab
#     store, docker, and rootless user ndlab (and their CNI IPAM / dnsname leftovers)
#   - netns ndext with its httpd and dnsmasq, veth ndup
#   - /dev/net/tun back to the mode recorded by setup.sh; /run/netdoctor-lab/ready removed
#   - gen2 environments a killed lab run left (their processes, cgroups and job folders)
# Left in place: packages, dockerd (keeps running), /etc/containers/containers.conf, the probe
# images, the CNI store, user ndlab.
# --purge also removes: the probe images, the CNI store and its config, user ndlab (and its
# processes), /var/lib/netdoctor-lab (with the cached gen2 userland), and restores /etc/containers/containers.conf from
# containers.conf.netdoctor-orig (or deletes ours if there was no original).
set -euo pipefail
# shellcheck source=lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

PURGE=0
case "${1:-}" in
  "") ;;
  --purge) PURGE=1 ;;
  *) echo "usage: $0 [--purge]" >&2; exit 2 ;;
esac
require_root "$@"
take_lock
# A lab run that was killed leaves its undo journal, and the binaries it moved away, in $LAB_STATE: purging
# that folder would lose them for good.
if [ $PURGE -eq 1 ] && { [ -e "$LAB_STATE/lab-journal.json" ] || [ -n "$(ls -A "$LAB_STATE/moved" 2>/dev/null)" ]; }; then
  die "an interrupted lab run left host changes to undo ($LAB_STATE/lab-journal.json, $LAB_STATE/moved): run \`node dist/test/lab/run.js restore\` first"
fi
T0=$(date +%s.%N)
DONE=()
did() { DONE+=("$1"); log "removed: $1"; }
rm -f "$LAB_READY"

# engine_cleanup LABEL RM-OPTS CMD... : remove lab containers, then lab networks, of one engine/store
engine_cleanup() {
  local label=$1 rmopts=$2; shift 2
  local c n
  for c in $("$@" ps -a --format '{{.Names}}' 2>/dev/null | lab_names); do
    # shellcheck disable=SC2086
    "$@" rm $rmopts "$c" >/dev/null 2>&1 || log "WARNING: $label: could not remove container $c"
    did "$label container $c"
  done
  for n in $("$@" network ls --format '{{.Name}}' 2>/dev/null | lab_names); do
    "$@" network rm "$n" >/dev/null 2>&1 || log "WARNING: $label: could not remove network $n"
    did "$label network $n"
  done
}

# ---------------------------------------------------------------- gen2 environments
while read -r line; do [ -z "$line" ] || did "$line"; done < <(no_inherited_fds bash "$LAB_ENV_DIR/gen2/stop.sh" --stale)

# ---------------------------------------------------------------- containers and networks
engine_cleanup podman "-f -t 0" pod
if [ -f "$CNI_CONTAINERS_CONF" ]; then
  engine_cleanup podman-cni "-f -t 0" podcni
  # CNI leaves IPAM lease dirs (and, on failures, dnsname state) behind
  for d in /var/lib/cni/networks/* /run/containers/cni/dnsname/*; do
    [ -e "$d" ] || continue
    n=$(basename "$d")
    [[ $n =~ $LAB_NAME_RE ]] || continue
    [ -e "/etc/cni/net.d/$n.conflist" ] && continue
    if [ -s "$d/pidfile" ]; then
      pid=$(tr -dc '0-9' <"$d/pidfile")
      if [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dnsmasq ]; then
        kill "$pid" 2>/dev/null && did "stale dnsname dnsmasq pid $pid ($n)"
      fi
    fi
    rm -rf "$d"; did "CNI leftover $d"
  done
fi
if docker_up; then
  engine_cleanup docker "-f" dock
else
  log "docker does not answer: docker objects not checked"
fi
if id -u "$LAB_USER" >/dev/null 2>&1; then
  engine_cleanup "rootless-$LAB_USER" "-f -t 0" asuser podman
fi

# ---------------------------------------------------------------- fake outside host
for pf in "$EXT_HTTPD_PID" "$EXT_DNSMASQ_PID"; do
  if pid_in_ext "$pf" busybox httpd dnsmasq; then
    pid=$(tr -dc '0-9' <"$pf"); kill "$pid" 2>/dev/null || true; did "ndext process $pid"
  fi
  rm -f "$pf"
done
if [ -n "$(ext_ns_ino)" ]; then
  # anything else still living in ndext was started for the lab: end it, by pid
  ns_pids() { ip netns pids "$EXT_NS" 2>/dev/null || true; }
  for pid in $(ns_pids); do kill "$pid" 2>/dev/null && did "ndext process $pid" || true; done
  wait_until 5 "ndext processes to exit" test -z "$(ns_pids)" || {
    for pid in $(ns_pids); do kill -KILL "$pid" 2>/dev/null || true; done
    wait_until 5 "ndext processes to die" test -z "$(ns_pids)" || log "WARNING: processes remain in ndext"
  }
  ip netns del "$EXT_NS"; did "netns $EXT_NS"
elif [ -e "/run/netns/$EXT_NS" ]; then
  ip netns del "$EXT_NS" 2>/dev/null || rm -f "/run/netns/$EXT_NS"; did "stale /run/netns/$EXT_NS"
fi
if ip link show "$EXT_HOST_IF" >/dev/null 2>&1; then ip link del "$EXT_HOST_IF"; did "link $EXT_HOST_IF"; fi

# ---------------------------------------------------------------- /dev/net/tun
if [ -s "$LAB_STATE/tun.mode" ]; then
  mode=$(tr -dc '0-7' <"$LAB_STATE/tun.mode")
  if [ -n "$mode" ] && [ -c /dev/net/tun ] && [ "$(stat -c %a /dev/net/tun)" != "$mode" ]; then
    chmod "$mode" /dev/net/tun; did "/dev/net/tun mode 666 (restored to $mode)"
  fi
  rm -f "$LAB_STATE/tun.mode"
fi

# ---------------------------------------------------------------- --purge
if [ $PURGE -eq 1 ]; then
  pod rmi -f "$PROBE_PODMAN" >/dev/null 2>&1 && did "podman image $PROBE_PODMAN" || true
  if docker_up; then dock rmi -f "$PROBE_DOCKER" >/dev/null 2>&1 && did "docker image $PROBE_DOCKER" || true; fi
  if [ -f "$CNI_CONTAINERS_CONF" ]; then
    podcni rmi -af >/dev/null 2>&1 || true   # the lab's own store: everything in it is ours
    if grep -q " $CNI_GRAPHROOT/" /proc/mounts; then
      log "WARNING: mounts remain under $CNI_GRAPHROOT; leaving it"
    else
      rm -rf "$CNI_GRAPHROOT" "$CNI_RUNROOT" "$CNI_TMPDIR"; did "CNI store $CNI_GRAPHROOT"
    fi
    rm -rf "$CNI_CONF_DIR"; rmdir /etc/netdoctor-lab 2>/dev/null || true; did "CNI config $CNI_CONF_DIR"
  fi
  if LUID=$(lab_uid); then
    asuser podman system reset -f >/dev/null 2>&1 || true
    # live (non-zombie) processes of the lab user: rootless pause process, slirp4netns, aardvark-dns...
    user_pids() { ps -o pid=,stat= -u "$LUID" 2>/dev/null | awk '$2 !~ /^Z/ {print $1}' || true; }
    for pid in $(user_pids); do kill "$pid" 2>/dev/null || true; done
    wait_until 10 "$LAB_USER processes to exit" test -z "$(user_pids)" || {
      for pid in $(user_pids); do kill -KILL "$pid" 2>/dev/null || true; done
    }
    userdel -r "$LAB_USER" >/dev/null 2>&1 || userdel "$LAB_USER"
    sed -i "/^$LAB_USER:/d" /etc/subuid /etc/subgid
    rm -rf "/run/user/$LUID"
    did "user $LAB_USER (uid $LUID)"
  fi
  if head -n1 "$CONTAINERS_CONF_ETC" 2>/dev/null | grep -qxF "$LAB_MARKER"; then
    if [ -e "$CONTAINERS_CONF_BACKUP" ]; then
      mv -f "$CONTAINERS_CONF_BACKUP" "$CONTAINERS_CONF_ETC"; did "$CONTAINERS_CONF_ETC (original restored)"
    else
      rm -f "$CONTAINERS_CONF_ETC"; did "$CONTAINERS_CONF_ETC (there was no original)"
    fi
  fi
  rm -rf "$LAB_STATE"; did "$LAB_STATE"
fi

rm -f "$LAB_RUN/docker-client"
T1=$(date +%s.%N)
secs=$(awk -v a="$T0" -v b="$T1" 'BEGIN{printf "%.1f", b-a}')
dpid=$(pgrep -x dockerd | head -n1 || true)
echo "netdoctor-lab torn down$([ $PURGE -eq 1 ] && echo ' (purged)'): ${#DONE[@]} object(s) removed in ${secs}s; packages stay installed; dockerd left running${dpid:+ (pid $dpid)}; run setup.sh to rebuild the lab"
