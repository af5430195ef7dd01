#!/usr/bin/env bash
# as-user.sh USER CMD [ARGS...]
# Run CMD as USER with the environment rootless podman needs on a host without systemd/logind:
# a clean environment, HOME, USER, LOGNAME, and XDG_RUNTIME_DIR=/run/user/<uid> (created here,
# owned by USER, mode 700, if missing). The working directory is USER's home. stdin/stdout/stderr
# and the exit code pass through, e.g.:
#   test/lab/env/as-user.sh ndlab podman run --rm localhost/netdoctor-probe true
#   tar -c ... | test/lab/env/as-user.sh ndlab podman import - localhost/x
# Extra variables: test/lab/env/as-user.sh ndlab env FOO=bar podman ...
# PODMAN_IGNORE_CGROUPSV1_WARNING passes through when set (the gen2 lab sets it: podman 5 warns on cgroups v1).
set -euo pipefail
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

if [ "$(id -u)" -ne 0 ]; then
  echo "as-user.sh: must run as root (it uses runuser)" >&2; exit 1
fi
if [ $# -lt 2 ]; then
  echo "usage: $0 USER CMD [ARGS...]" >&2; exit 2
fi
user=$1; shift
pw=$(getent passwd "$user") || { echo "as-user.sh: no such user: $user" >&2; exit 1; }
uid=$(cut -d: -f3 <<<"$pw")
gid=$(cut -d: -f4 <<<"$pw")
home=$(cut -d: -f6 <<<"$pw")
[ "$uid" -ne 0 ] || { echo "as-user.sh: refusing to run as uid 0" >&2; exit 1; }

rt=/run/user/$uid
if [ ! -d "$rt" ]; then
  mkdir -p /run/user
  chmod 755 /run/user
  install -d -m 700 -o "$uid" -g "$gid" "$rt"
fi
# podman refuses a runtime dir it does not own
if [ "$(stat -c %u "$rt")" != "$uid" ]; then
  chown "$uid:$gid" "$rt"; chmod 700 "$rt"
fi

cd "$home" 2>/dev/null || cd /
exec runuser -u "$user" -- env -i \
  PATH=/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin \
  HOME="$home" USER="$user" LOGNAME="$user" SHELL=/bin/bash LANG=C.UTF-8 \
  XDG_RUNTIME_DIR="$rt" ${TERM:+TERM="$TERM"} \
  ${PODMAN_IGNORE_CGROUPSV1_WARNING:+PODMAN_IGNORE_CGROUPSV1_WARNING="$PODMAN_IGNORE_CGROUPSV1_WARNING"} \
  "$@"
