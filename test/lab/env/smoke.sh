#!/usr/bin/env bash
# smoke.sh — prove the lab baseline works end to end (run after setup.sh). Root only.
#   podman (netavark): network ndnet, 2 containers, name lookup via the gateway (aardvark-dns),
#                      HTTP to the fake outside host 198.51.100.2 (egress through NAT), ext.test lookup
#   docker:            network nddnet, same probes (embedded DNS 127.0.0.11)
#   rootless ndlab:    slirp4netns container -> 198.51.100.2; user network ndrl, name lookup
#   podman-cni.sh:     network ndcni (10.90.0.0/24), dnsname present, name lookup via dnsmasq, egress
# It removes every container it started, and the networks it created (existing ones are kept).
# Lookups are A-only and aimed at the lab's own servers, so no query leaves the machine.
# Exit code: number of failed probes (0 = all passed).
set -euo pipefail
# shellcheck source=lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
require_root "$@"
grep -qxF "boot_id=$(cat /proc/sys/kernel/random/boot_id)" "$LAB_READY" 2>/dev/null \
  || die "lab not set up for this boot: run test/lab/env/setup.sh first"

FAILS=0
CLEANUP=()   # commands (strings) run at exit, last first
cleanup() {
  local i
  for ((i = ${#CLEANUP[@]} - 1; i >= 0; i--)); do eval "${CLEANUP[$i]}" >/dev/null 2>&1 || true; done
}
trap cleanup EXIT
# check NAME EXPECTED-REGEX CMD... : run CMD (bounded), pass if its output matches
check() {
  local name=$1 re=$2 out rc=0; shift 2
  if [ "$(type -t "$1")" = function ]; then out=$("$@" 2>&1) || rc=$?   # helpers carry their own timeout
  else out=$(timeout 30 "$@" 2>&1) || rc=$?; fi
  if [ $rc -eq 0 ] && grep -qE "$re" <<<"$out"; then
    printf 'PASS  %s\n' "$name"
  else
    printf 'FAIL  %s (exit %s)\n%s\n' "$name" "$rc" "$(sed 's/^/      /' <<<"$out")"
    FAILS=$((FAILS + 1))
  fi
}
ip_re() { sed 's/\./\\./g' <<<"$1"; }

EXT_OK='^ok$'
EXT_DNS="Address:? *$(ip_re "$EXT_IP")\$"

# run_pair LABEL NET NET-CREATE-ARGS -- ENGINE-CMD... : two containers nd-smoke-a/b on NET, probes
run_pair() {
  local label=$1 net=$2 create=$3; shift 4
  local e=("$@") img=$PROBE_PODMAN rmc="rm -f -t 0" gw ipa dns
  [ "${e[0]}" = dock ] && { img=$PROBE_DOCKER; rmc="rm -f"; }
  if ! "${e[@]}" network inspect "$net" >/dev/null 2>&1; then
    # shellcheck disable=SC2086
    "${e[@]}" network create $create "$net" >/dev/null
    CLEANUP+=("${e[*]} network rm $net")
    # the CNI backend leaves its IPAM lease dir behind after network rm
    [ "${e[0]}" = podcni ] && CLEANUP+=("rm -rf /var/lib/cni/networks/$net")
  fi
  for c in nd-smoke-a nd-smoke-b; do
    "${e[@]}" rm -f "$c" >/dev/null 2>&1 || true
    "${e[@]}" run -d --name "$c" --network "$net" "$img" sleep 300 >/dev/null
    CLEANUP+=("${e[*]} $rmc $c")
  done
  if [ "${e[0]}" = dock ]; then
    gw=$("${e[@]}" network inspect "$net" --format '{{range .IPAM.Config}}{{.Gateway}}{{end}}')
    ipa=$("${e[@]}" inspect nd-smoke-a --format "{{(index .NetworkSettings.Networks \"$net\").IPAddress}}")
    dns=127.0.0.11
  else
    gw=$("${e[@]}" network inspect "$net" --format '{{range .Subnets}}{{.Gateway}}{{end}}')
    ipa=$("${e[@]}" inspect nd-smoke-a --format "{{(index .NetworkSettings.Networks \"$net\").IPAddress}}")
    dns=$gw
  fi
  echo "----  $label: network $net gateway $gw, nd-smoke-a $ipa, DNS server $dns"
  check "$label: nd-smoke-b resolves nd-smoke-a via $dns" "Address:? *$(ip_re "$ipa")\$" \
    "${e[@]}" exec nd-smoke-b nslookup -type=a nd-smoke-a "$dns"
  check "$label: wget http://$EXT_IP/ok (egress via NAT)" "$EXT_OK" \
    "${e[@]}" exec nd-smoke-b timeout 10 wget -q -O- "http://$EXT_IP/ok"
  check "$label: ext.test via $EXT_IP" "$EXT_DNS" \
    "${e[@]}" exec nd-smoke-b nslookup -type=a ext.test "$EXT_IP"
}

echo "----  host: fake outside host"
check "host: http://$EXT_IP/ok" "$EXT_OK" ip netns exec "$EXT_NS" /bin/busybox wget -q -O- "http://$EXT_IP/ok"
check "host: ndext has no route back to 10.0.0.0/8" "unreachable" ip -n "$EXT_NS" route show exact 10.0.0.0/8

run_pair "podman/netavark" ndnet "" -- pod
run_pair "docker" nddnet "" -- dock
run_pair "podman/cni" ndcni "--subnet 10.90.0.0/24" -- podcni
check "podman/cni: /etc/cni/net.d/ndcni.conflist has dnsname" '"type": *"dnsname"' cat /etc/cni/net.d/ndcni.conflist
check "podman/cni: dnsname's dnsmasq runs for ndcni" dnsmasq \
  sh -c 'cat /proc/$(cat /run/containers/cni/dnsname/ndcni/pidfile)/comm'

echo "----  rootless $LAB_USER"
check "rootless: slirp4netns container -> http://$EXT_IP/ok" "$EXT_OK" \
  asuser podman run --rm --name nd-smoke-r "$PROBE_PODMAN" timeout 10 wget -q -O- "http://$EXT_IP/ok"
CLEANUP+=("asuser podman rm -f -t 0 nd-smoke-r")
run_pair "rootless/netavark" ndrl "" -- asuser podman

echo "----  cleanup"
cleanup; CLEANUP=()
echo "smoke: $FAILS failure(s)"
exit "$FAILS"
