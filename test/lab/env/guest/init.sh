#!/bin/busybox sh
# /init of the lab guest's initramfs (built by test/lab/env/guest/build.sh). The guest boots a Debian kernel
# whose netfilter features are modules, with this host's root filesystem as its own (read-only 9p, with a
# tmpfs overlay on top, so the guest can write and the host is never changed), and runs the lab's agent
# (dist/test/lab/guest-agent.js), which executes the host's requests until it is asked to power off.
# Kernel command line: ndl.view=loadable|missing  ndl.kernel=DIR (the extracted package)  ndl.job=DIR
# (the host folder shared as "job", mounted at the same path)  ndl.node=PATH  ndl.agent=PATH
# ndl.init=systemd: systemd runs as PID 1 and starts ndl.target, the agent as its service, for what needs a
# login manager (lingering users); by default the agent is all that runs.
B=/bin/busybox
$B --install -s /bin
$B mount -t proc proc /proc
$B mount -t sysfs sys /sys
$B mount -t devtmpfs dev /dev
arg() { for word in $(cat /proc/cmdline); do case $word in "ndl.$1="*) echo "${word#*=}" ;; esac; done; }
fail() { echo "ndl-guest: $*"; $B poweroff -f; }
view=$(arg view) kernel=$(arg kernel) job=$(arg job) node=$(arg node) agent=$(arg agent) init=$(arg init)
release=$($B uname -r)
# Only what mounting the shared root needs; everything else stays unloaded until something asks for it.
for module in $(cat /boot-modules.txt); do $B insmod "/modules/$module.ko" || fail "insmod $module"; done
$B mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144 hostroot /lower || fail "mounting the host root"
$B mount -t tmpfs upper /upper
$B mkdir -p /upper/data /upper/work
$B mount -t overlay root -o lowerdir=/lower,upperdir=/upper/data,workdir=/upper/work /root || fail "overlay"
for fs in proc sys dev; do $B mount --move "/$fs" "/root/$fs"; done
$B mkdir -p /root/dev/pts /root/dev/shm
$B mount -t devpts devpts /root/dev/pts
$B mount -t tmpfs shm /root/dev/shm
$B mount -t tmpfs run /root/run
$B mkdir -p "/root$job" /root/lib/modules
$B mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 job "/root$job" || fail "mounting the job folder"
# The kernel package's own files where its installation puts them: the build config always, the module tree
# only in the "loadable" view ("missing" is a host whose running kernel's modules were removed).
$B cp "/root$kernel/boot/config-$release" "/root/boot/config-$release"
if [ "$view" = loadable ]; then
  $B mkdir -p "/root/lib/modules/$release"
  $B mount --bind "/root$kernel/lib/modules/$release" "/root/lib/modules/$release" || fail "binding the module tree"
fi
if [ "$init" = systemd ]; then
  # Units in the guest's own overlay: the target pulls in what logind needs and the agent, none of the host's
  # enabled services; the guest powers off when the agent ends.
  units=/root/etc/systemd/system
  $B mkdir -p "$units"
  # tmpfiles' boot run empties /tmp and walks the host's folders through 9p: minutes under emulation, and nothing
  # the guest's scenarios need.
  $B ln -sf /dev/null "$units/systemd-tmpfiles-setup.service"
  printf '%s\n' '[Unit]' 'Description=netdoctor lab agent' 'After=basic.target systemd-logind.service' \
    'SuccessAction=poweroff-force' 'FailureAction=poweroff-force' '[Service]' \
    "ExecStart=$node $agent $job" "StandardOutput=append:$job/agent.log" 'StandardError=inherit' \
    >"$units/ndl-agent.service"
  printf '%s\n' '[Unit]' 'Description=netdoctor lab guest' 'Requires=basic.target' \
    'Wants=ndl-agent.service systemd-logind.service dbus.service' 'After=basic.target' 'AllowIsolate=yes' \
    >"$units/ndl.target"
  # This host's root has docker's /.dockerenv, which would make systemd take the VM for a container.
  $B rm -f /root/.dockerenv
  exec $B switch_root /root /lib/systemd/systemd --unit=ndl.target
fi
exec $B switch_root /root /bin/busybox sh -c "$node $agent $job > $job/agent.log 2>&1; sync; /bin/busybox poweroff -f"
