#!/usr/bin/env bash
# start.sh JOB overlay|direct [init.sh options]: one gen2 environment (test/lab/lib/gen2.ts starts it).
# On the host: puts itself into cgroups of the environment's own (ndl-gen2-<job>, below its current cgroup in
# every hierarchy), so that everything the engines inside create lands below them and is removed with them;
# then fresh mount, network, pid, cgroup, UTS and IPC namespaces, in which init.sh enters the userland with
# pivot_root. JOB (/run/netdoctor-lab/gen2-XXXX) gets pid (the environment's init, as the host numbers it),
# cgroups (the folders made here), share/ (seen inside at the same path) and share/ready.
set -euo pipefail
# shellcheck source=../lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/lib.sh"
# shellcheck source=lib.sh
. "$LAB_ENV_DIR/gen2/lib.sh"

job=${1:?usage: start.sh JOB overlay|direct [--docker] [--firewalld] [--bind PATH]...}
mode=${2:?usage: start.sh JOB overlay|direct ...}
shift 2
case $job in "$GEN2_JOB_PREFIX"*) ;; *) die "start.sh: the job folder must be $GEN2_JOB_PREFIX*" ;; esac
[ -x "$GEN2_ROOTFS/usr/bin/podman" ] || die "no gen2 userland in $GEN2_ROOTFS: run test/lab/env/setup.sh"
install -d -m 755 "$job/share"
cgroup=$GEN2_CGROUP_PREFIX${job#"$GEN2_JOB_PREFIX"}

# Every cgroup hierarchy mounted on the host: its mount point and its controllers (v1), or "" (cgroup2).
# /proc/self/cgroup names this process's place in each: "ID:CONTROLLERS:PATH".
: >"$job/cgroups"
# read whole before moving: the file is generated anew at every read, and the move changes it
memberships=$(cat /proc/self/cgroup)
while IFS=: read -r _ controllers path; do
  mountpoint=$(awk -v want="$controllers" '
    $0 ~ / - cgroup2? / {
      split($0, halves, " - "); split(halves[2], fs, " "); n = split(fs[3], opts, ",")
      have = ""
      for (i = 1; i <= n; i++) if (opts[i] != "rw" && opts[i] != "ro" && opts[i] !~ /^(relatime|nsdelegate|memory_recursiveprot|clone_children|noprefix|xattr|release_agent=)/) have = have (have == "" ? "" : ",") opts[i]
      if ((fs[1] == "cgroup2" && want == "") || (fs[1] == "cgroup" && have == want)) { split($0, f, " "); print f[5]; exit }
    }' /proc/self/mountinfo)
  [ -n "$mountpoint" ] || continue
  dir=$mountpoint${path%/}/$cgroup
  mkdir "$dir"
  printf '%s\n' "$dir" >>"$job/cgroups"
  # a v1 cpuset cgroup takes no process before it has cpus and memory nodes
  if [ -e "$dir/cpuset.cpus" ]; then
    cat "$mountpoint${path%/}/cpuset.cpus" >"$dir/cpuset.cpus"
    cat "$mountpoint${path%/}/cpuset.mems" >"$dir/cpuset.mems"
  fi
  echo $$ >"$dir/cgroup.procs"
done <<<"$memberships"

exec unshare --mount --net --pid --fork --cgroup --uts --ipc --propagation private -- \
  bash "$GEN2_HERE/init.sh" "$mode" "$GEN2_ROOTFS" "$job" "$@"
