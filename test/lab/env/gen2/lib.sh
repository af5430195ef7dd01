# shellcheck shell=bash
# shellcheck disable=SC2034  # variables are used by the scripts that source this file
# Names of the second lab generation (Debian 13 userland in namespaces). Sourced after ../lib.sh.

GEN2_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
GEN2_DIR=$LAB_STATE/gen2
GEN2_ROOTFS=$GEN2_DIR/rootfs          # the configured userland: the read-only lower layer of every environment
GEN2_DEBS=$GEN2_DIR/debs              # downloaded .deb files, so that a rebuild downloads nothing
GEN2_SUITE=trixie
# Environments' job folders (/run/netdoctor-lab/gen2-XXXX) and cgroups (ndl-gen2-XXXX): swept by name.
GEN2_JOB_PREFIX=$LAB_RUN/gen2-
GEN2_CGROUP_PREFIX=ndl-gen2-

# debootstrap --include (Depends only: podman's Recommends such as slirp4netns stay out, as the baseline
# "rootless with pasta, slirp4netns not installed" needs)
GEN2_BASE_PACKAGES=(podman conmon catatonit netavark aardvark-dns passt runc iptables nftables iproute2
  busybox-static uidmap docker.io ca-certificates procps kmod dnsmasq-base)
# then apt-get inside: the docker CLI is a package of its own in Debian 13; firewalld needs a system bus
GEN2_EXTRA_PACKAGES=(docker-cli firewalld dbus-daemon)
# installed when Debian 13 still has them (build.sh says which it found)
GEN2_OPTIONAL_PACKAGES=(containernetworking-plugins golang-github-containernetworking-plugin-dnsname)

# The Debian mirror this host's apt uses (first deb source of the main suite), read at run time.
debian_mirror() {
  local file uri=''
  for file in /etc/apt/sources.list.d/*.sources; do
    [ -e "$file" ] || continue
    uri=$(awk 'BEGIN { RS = ""; FS = "\n" }
      { types = ""; uris = ""; suites = ""
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^Types:/) types = $i
          if ($i ~ /^URIs:/) uris = $i
          if ($i ~ /^Suites:/) suites = $i
        }
        # the main suite: a word without "-" (not -security, -updates)
        if (types ~ /[ \t]deb([ \t]|$)/ && suites ~ /:([ \t]+[a-z]+)*[ \t]+[a-z]+([ \t]|$)/ && uris != "") {
          sub(/^URIs:[ \t]*/, "", uris); split(uris, u, /[ \t]+/); print u[1]; exit
        } }' "$file")
    [ -n "$uri" ] && break
  done
  if [ -z "$uri" ] && [ -e /etc/apt/sources.list ]; then
    uri=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i !~ /\]$/) { if ($(i + 1) !~ /-/) { print $i; exit } break } }' /etc/apt/sources.list)
  fi
  [ -n "$uri" ] || return 1
  printf '%s\n' "${uri%/}"
}

# gen2_start MODE [init.sh options]: starts an environment in the background, waits (at most 150 s) for it
# to be ready; prints its job folder. A failed start is stopped before returning 1.
gen2_start() {
  local mode=$1 job i
  shift
  install -d -m 755 "$LAB_RUN"
  job=$(mktemp -d "${GEN2_JOB_PREFIX}XXXXXX")
  chmod 755 "$job"
  # no inherited descriptor: the environment would keep a lock its caller holds (lib.sh, no_inherited_fds)
  ( close_inherited_fds; exec setsid bash "$GEN2_HERE/start.sh" "$job" "$mode" "$@" ) >"$job/start.log" 2>&1 </dev/null &
  local starter=$!
  for ((i = 0; i < 300; i++)); do
    [ -e "$job/share/ready" ] && { printf '%s\n' "$job"; return 0; }
    [ -e "$job/share/failed" ] && break
    kill -0 "$starter" 2>/dev/null || break
    if [ -s "$job/pid" ] && [ ! -d "/proc/$(cut -d' ' -f1 "$job/pid")" ]; then break; fi
    sleep 0.5
  done
  log "gen2 environment did not start: $(tail -n 3 "$job/start.log" | tr '\n' ' ')"
  gen2_stop "$job"
  return 1
}

# gen2_start_time PID: the process's start time (clock ticks after boot), empty when it is gone
gen2_start_time() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
  # after the command name, which may hold spaces: field 3 onwards
  read -r -a stat <<<"${stat##*) }"
  printf '%s\n' "${stat[19]}"
}

# gen2_exec JOB CMD...: runs CMD inside the environment (every namespace of its init, its root), for at
# most 300 s
gen2_exec() {
  local job=$1
  shift
  timeout 300 nsenter --target "$(cut -d' ' -f1 "$job/pid")" --all -- env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/root LC_ALL=C PODMAN_IGNORE_CGROUPSV1_WARNING=1 "$@"
}

# gen2_stop JOB: ends every process of the environment (SIGKILL to its init ends its pid namespace, and
# with the last process its mounts and network go), removes its cgroups and the job folder.
gen2_stop() {
  local job=$1 pid='' started='' dir i
  [ -s "$job/pid" ] && read -r pid started <"$job/pid"
  if [ -n "$pid" ] && [ "$(gen2_start_time "$pid")" = "$started" ]; then
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
  fi
  if [ -s "$job/cgroups" ]; then
    while read -r dir; do
      for ((i = 0; i < 50; i++)); do
        # deepest first; a cgroup empties a moment after its last process died
        find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null || true
        [ -d "$dir" ] || break
        sleep 0.2
      done
      [ -d "$dir" ] && log "WARNING: cgroup $dir stays (processes: $(cat "$dir/cgroup.procs" 2>/dev/null | tr '\n' ' '))"
    done <"$job/cgroups"
  fi
  rm -rf "$job"
}
