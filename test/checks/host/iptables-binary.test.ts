import check from '../../../checks/host/iptables-binary.js';
import { checkCases } from '../../helpers/check-cases.js';
import { gen2State, hostSnapshot, labState } from '../../helpers/recordings.js';

const ID = 'host.iptables_binary_missing';

checkCases(check, [
  {
    on: labState('iptables-moved.broken'),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: { path: 'iptables' },
        title: 'iptables is not installed',
        fix: { commands: ['apt-get install --reinstall -y iptables', 'update-alternatives --display iptables'] },
      },
    ],
    nothingElse: true,
  },
  { on: labState('iptables-moved.fixed'), gone: [ID] },
  // iptables and ip6tables share one binary: both lost their execute bits with it.
  {
    on: labState('iptables-not-executable.broken'),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: { path: '/usr/sbin/iptables' },
        title: '/usr/sbin/iptables is not executable',
        fix: { commands: ['chmod 0755 /usr/sbin/iptables'] },
      },
      {
        id: ID,
        severity: 'error',
        subject: { path: '/usr/sbin/ip6tables' },
        title: '/usr/sbin/ip6tables is not executable',
        fix: { commands: ['chmod 0755 /usr/sbin/ip6tables'] },
      },
    ],
    nothingElse: true,
  },
  { on: labState('iptables-not-executable.fixed'), gone: [ID] },
  { on: hostSnapshot('healthy-rootful-netavark-docker'), passes: true },
  { on: hostSnapshot('healthy-rootful-cni-docker'), passes: true },
  { on: hostSnapshot('healthy-rootless'), passes: true },
  // Netavark's nftables driver and no dockerd: nothing here runs iptables, so its absence would break nothing.
  {
    on: gen2State('baseline-netavark-nftables.healthy'),
    result: {
      status: 'skip',
      skip: 'not_applicable',
      reason:
        'no engine here runs iptables: netavark uses its nftables firewall driver (firewall_driver = "nftables" in /etc/containers/containers.conf.d/ndl-firewall-driver.conf), and no dockerd is installed',
    },
  },
  {
    on: gen2State('baseline-podman-netavark.healthy'),
    result: {
      status: 'skip',
      skip: 'not_applicable',
      reason: /its rules are in table inet netavark\), and no dockerd/,
    },
  },
  { on: gen2State('baseline-netavark-iptables.healthy'), passes: true },
  { on: gen2State('baseline-docker-podman.healthy'), passes: true },
]);
