#!/usr/bin/env bash
# podman-cni.sh ARGS...
# Rootful podman on the lab's separate CNI-backend store (set up by setup.sh):
#   containers.conf /etc/netdoctor-lab/cni/containers.conf  ([network] network_backend="cni")
#   storage.conf    /etc/netdoctor-lab/cni/storage.conf     (graphroot /var/lib/netdoctor-lab/cni-storage,
#                                                            runroot /run/netdoctor-lab/cni-runroot)
# The default netavark store (/var/lib/containers/storage) is never touched by this wrapper.
# CNI conflists still go to /etc/cni/net.d/ and dnsname state to /run/containers/cni/dnsname/.
# Example: test/lab/env/podman-cni.sh info --format '{{.Host.NetworkBackend}}'   -> cni
set -euo pipefail
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

if [ "$(id -u)" -ne 0 ]; then
  echo "podman-cni.sh: must run as root (rootful CNI store)" >&2; exit 1
fi
conf=/etc/netdoctor-lab/cni/containers.conf
sconf=/etc/netdoctor-lab/cni/storage.conf
if [ ! -f "$conf" ] || [ ! -f "$sconf" ]; then
  echo "podman-cni.sh: $conf or $sconf missing: run test/lab/env/setup.sh first" >&2; exit 1
fi
# CONTAINERS_CONF replaces the whole containers.conf chain (/usr/share + /etc are NOT read),
# so the lab file repeats Debian's defaults and the VM workarounds.
export CONTAINERS_CONF=$conf
export CONTAINERS_STORAGE_CONF=$sconf
exec podman "$@"
