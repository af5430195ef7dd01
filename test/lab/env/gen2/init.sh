#!/usr/bin/env bash
# init.sh overlay|direct ROOTFS JOB [--docker] [--firewalld] [--forwarding-at-boot] [--bind PATH]... — pid 1 of a gen2 environment
# (start.sh runs it in fresh mount, network, pid, cgroup, UTS and IPC namespaces). It:
#   - makes the new root: overlay (a tmpfs upper over ROOTFS, thrown away with the environment) or direct
#     (ROOTFS itself, writable: build time only), with fresh /proc, /sys, cgroup mounts, /dev, /run, /tmp;
#   - binds each --bind PATH read-only at the same path (node, the lab's netdoctor copy, test/lab/env), and
#     JOB/share read-write at its own path;
#   - enters it with pivot_root (a chroot would be refused user namespaces: no rootless podman);
#   - makes the fake outside host: netns ndext with 198.51.100.2 (httpd /ok, dnsmasq answering ext.test) and
#     the upstream router 198.51.100.254, the environment's default route;
#   - boots like a fresh host: IPv4 forwarding off, or on from /etc/sysctl.d (--forwarding-at-boot, as on a
#     host that routes: dockerd then leaves the FORWARD policy ACCEPT);
#   - starts dockerd (--docker) and dbus + firewalld (--firewalld), waits for them, writes JOB/share/ready,
#     (without --docker, docker is not installed there: its binaries are removed from the overlay, so that a
#     podman-only host is one, not a host whose dockerd is down),
#     and stays as the namespace's init (reaping orphans) until the host kills it.
# Every wait is bounded; a failure ends init, and with it every process of the environment.
set -euo pipefail
mode=$1 rootfs=$2 job=$3
shift 3
docker=0 firewalld=0 forwarding=0 binds=()
while [ $# -gt 0 ]; do
  case $1 in
    --docker) docker=1 ;;
    --firewalld) firewalld=1 ;;
    --forwarding-at-boot) forwarding=1 ;;
    --bind) binds+=("$2"); shift ;;
    *) echo "init.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C
log() { printf '[gen2 init] %s\n' "$*" >&2; }
fail() { log "FAILED: $*"; printf '%s\n' "$*" >"$job/share/failed"; exit 1; }
trap 'fail "line $LINENO: $BASH_COMMAND"' ERR

# The host's number for this process and its start time (so that a stop never signals a recycled pid):
# /proc is still the host's here, and a builtin's redirection is opened by bash itself.
read -r -a own_stat </proc/self/stat
printf '%s %s\n' "${own_stat[0]}" "${own_stat[21]}" >"$job/pid"

new=$job/root
mkdir -p "$new"
case $mode in
  overlay)
    mkdir -p "$job/layer"
    mount -t tmpfs -o size=4g,mode=755 ndl-gen2-upper "$job/layer"
    mkdir "$job/layer/upper" "$job/layer/work"
    mount -t overlay -o "lowerdir=$rootfs,upperdir=$job/layer/upper,workdir=$job/layer/work" ndl-gen2-root "$new"
    ;;
  direct)
    [ ${#binds[@]} -eq 0 ] || fail "direct mode binds nothing (the mount points would stay in the userland)"
    mount --bind "$rootfs" "$new"
    ;;
  *) fail "mode $mode" ;;
esac

mount -t proc proc "$new/proc"
# A fresh sysfs shows this network namespace's interfaces in /sys/class/net, not the host's.
mount -t sysfs sysfs "$new/sys"
mount -t tmpfs -o mode=755 cgroup "$new/sys/fs/cgroup"
# The cgroup namespace's view of every hierarchy the host mounts, under the same names.
while IFS=: read -r _ controllers _; do
  if [ -z "$controllers" ]; then
    mkdir "$new/sys/fs/cgroup/unified"
    mount -t cgroup2 cgroup2 "$new/sys/fs/cgroup/unified"
  else
    name=${controllers#name=}
    mkdir "$new/sys/fs/cgroup/$name"
    case $controllers in
      name=*) mount -t cgroup -o "none,$controllers" cgroup "$new/sys/fs/cgroup/$name" ;;
      *) mount -t cgroup -o "$controllers" cgroup "$new/sys/fs/cgroup/$name" ;;
    esac
  fi
done </proc/self/cgroup

# /dev of its own: a scenario may change /dev/net/tun's mode; Debian's udev makes it 666.
mount -t tmpfs -o mode=755,size=64k dev "$new/dev"
for node in "null c 1 3" "zero c 1 5" "full c 1 7" "random c 1 8" "urandom c 1 9" "tty c 5 0"; do
  read -r file kind major minor <<<"$node"
  mknod -m 666 "$new/dev/$file" "$kind" "$major" "$minor"
done
mkdir "$new/dev/net" "$new/dev/pts" "$new/dev/shm" "$new/dev/mqueue"
mknod -m 666 "$new/dev/net/tun" c 10 200
mount -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts "$new/dev/pts"
ln -s pts/ptmx "$new/dev/ptmx"
mount -t tmpfs -o mode=1777 shm "$new/dev/shm"
mount -t mqueue mqueue "$new/dev/mqueue"
ln -s /proc/self/fd "$new/dev/fd"
ln -s /proc/self/fd/0 "$new/dev/stdin"
ln -s /proc/self/fd/1 "$new/dev/stdout"
ln -s /proc/self/fd/2 "$new/dev/stderr"
mount -t tmpfs -o mode=755 run "$new/run"
mount -t tmpfs -o mode=1777 tmp "$new/tmp"

for path in "${binds[@]}"; do
  if [ -d "$path" ]; then mkdir -p "$new$path"; else mkdir -p "$(dirname "$new$path")" && touch "$new$path"; fi
  mount --bind "$path" "$new$path"
  mount -o remount,bind,ro "$new$path"
done
mkdir -p "$new$job/share"
mount --bind "$job/share" "$new$job/share"

cd "$new"
mkdir -p oldroot
pivot_root . oldroot
cd /
umount -l /oldroot
rmdir /oldroot
# podman warns that "/" is not a shared mount otherwise
mount --make-rshared /
hostname ndl-gen2

# ---------------------------------------------------------------- the network and the fake outside host
ip link set lo up
# A new network namespace inherits the host's IPv4 settings; a freshly booted host forwards nothing until an
# engine turns it on (dockerd then also sets the FORWARD policy to DROP, as on generation 1), unless its
# sysctl.d says so.
if [ $forwarding -eq 1 ]; then
  printf 'net.ipv4.ip_forward = 1\n' >/etc/sysctl.d/90-forwarding.conf
  sysctl -q -p /etc/sysctl.d/90-forwarding.conf
else
  sysctl -q -w net.ipv4.ip_forward=0
fi
ip netns add ndext
ip link add ndup type veth peer name ndup-x netns ndext
ip addr add 198.51.100.1/24 dev ndup
ip link set ndup up
ip -n ndext link set lo up
ip -n ndext addr add 198.51.100.2/24 dev ndup-x
ip -n ndext addr add 198.51.100.254/24 dev ndup-x
ip -n ndext link set ndup-x up
ip -n ndext route add default via 198.51.100.1
# like a real upstream: no way back to private (container) subnets, so egress needs masquerading
for net in 10.0.0.0/8 172.16.0.0/12 192.168.0.0/16; do ip -n ndext route add unreachable "$net"; done
# The default route leads to a router that is not the outside host: pasta maps its gateway address to the
# host itself, which would make 198.51.100.2 unreachable from pasta's containers.
ip route add default via 198.51.100.254 dev ndup

mkdir -p /run/ndext/www
printf 'ok\n' >/run/ndext/www/ok
ip netns exec ndext busybox httpd -f -p 198.51.100.2:80 -h /run/ndext/www >/run/ndext/httpd.log 2>&1 </dev/null &
# answers ext.test only, never forwards (no upstream at all)
ip netns exec ndext dnsmasq --conf-file=/dev/null --pid-file=/run/ndext/dnsmasq.pid --user=root --no-resolv \
  --no-hosts --no-poll --bind-interfaces --listen-address=198.51.100.2 --port=53 --local=/test/ \
  --address=/ext.test/198.51.100.2 --log-facility=/run/ndext/dnsmasq.log

# wait_for SECONDS WHAT CMD...: polls every 0.5 s
wait_for() {
  local seconds=$1 what=$2 i
  shift 2
  for ((i = 0; i < seconds * 2; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  fail "timed out after $seconds s waiting for $what"
}
wait_for 10 "httpd in ndext" sh -c 'ip netns exec ndext ss -Hlnt "sport = :80" | grep -q 198.51.100.2'
wait_for 10 "dnsmasq in ndext" sh -c 'ip netns exec ndext ss -Hlnu "sport = :53" | grep -q 198.51.100.2'

# ---------------------------------------------------------------- daemons the scenario needs
if [ $firewalld -eq 1 ]; then
  mkdir -p /run/dbus
  dbus-daemon --system --fork --nopidfile
  firewalld --nofork --nopid >/var/log/firewalld.log 2>&1 </dev/null &
  wait_for 90 "firewalld" sh -c 'firewall-cmd --state 2>/dev/null | grep -qx running'
fi
if [ $docker -eq 1 ]; then
  dockerd >/var/log/dockerd.log 2>&1 </dev/null &
  wait_for 90 "dockerd" timeout 10 docker info
elif [ "$mode" = overlay ]; then
  rm -f /usr/bin/docker /usr/sbin/dockerd /usr/sbin/docker-proxy /usr/bin/docker-init
fi

printf 'ready\n' >"$job/share/ready"
log "ready"
trap - ERR
# The namespace's init from now on: reaps whatever is orphaned until the host ends the environment.
exec catatonit -P
