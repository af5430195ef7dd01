#!/usr/bin/env bash
# stop.sh JOB... | --stale — ends gen2 environments (test/lab/lib/gen2.ts, teardown.sh, a lab run's sweep):
# SIGKILL to each one's init ends its pid namespace, every process in it, and with the last one its mounts
# and network; then its cgroups and job folder go. --stale: every environment's job folder, and any
# ndl-gen2-* cgroup left without one. Prints one line per environment or cgroup it removed.
set -euo pipefail
# shellcheck source=../lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/lib.sh"
# shellcheck source=lib.sh
. "$LAB_ENV_DIR/gen2/lib.sh"
require_root "$@"

jobs=()
if [ "${1:-}" = --stale ]; then
  for job in "$GEN2_JOB_PREFIX"*; do [ -d "$job" ] && jobs+=("$job"); done
else
  jobs=("$@")
fi
for job in "${jobs[@]}"; do
  case $job in "$GEN2_JOB_PREFIX"*) ;; *) die "not a gen2 job folder: $job" ;; esac
  # a start that never reached init: its start.sh or unshare (they name the job folder)
  for pid in $(pgrep -f -- "$GEN2_HERE/(start|init)\.sh .*$job( |\$)" || true); do kill -KILL "$pid" 2>/dev/null || true; done
  gen2_stop "$job"
  echo "gen2 environment $job"
done
if [ "${1:-}" = --stale ]; then
  # cgroups whose job folder is gone (the folder went first, or a killed stop)
  while read -r dir; do
    find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null || true
    if [ -d "$dir" ]; then log "WARNING: cgroup $dir stays"; else echo "cgroup $dir"; fi
  done < <(awk '$3 == "cgroup" || $3 == "cgroup2" { print $2 }' /proc/mounts \
    | while read -r mount; do find "$mount" -maxdepth 5 -type d -name "$GEN2_CGROUP_PREFIX*" -prune 2>/dev/null; done)
fi
