import check from '../../../checks/podman/backend.js';
import { checkCases } from '../../helpers/check-cases.js';
import { gen2State, hostSnapshot, labState } from '../../helpers/recordings.js';

const ID = 'podman.backend_is_cni';
const ON_CNI = {
  id: ID,
  severity: 'info',
  subject: { engine: 'podman', scope: 'rootful' },
  title: 'Podman uses the CNI network backend',
} as const;

checkCases(check, [
  { on: labState('podman-cni-backend.broken'), shows: [ON_CNI], nothingElse: true },
  { on: labState('podman-backend-pinned.broken'), shows: [ON_CNI], nothingElse: true },
  { on: labState('baseline-podman-cni.healthy'), shows: [ON_CNI], nothingElse: true },
  { on: hostSnapshot('healthy-rootful-cni-docker'), shows: [ON_CNI], nothingElse: true },
  { on: labState('baseline-podman-netavark.healthy'), gone: [ID] },
  { on: labState('baseline-rootless.healthy'), gone: [ID] },
  { on: hostSnapshot('healthy-rootful-netavark-docker'), passes: true },
  { on: hostSnapshot('healthy-rootless'), passes: true },
  // podman info fails on a broken store: the backend is unknown, and it says so rather than guess.
  {
    on: labState('podman-broken-store.broken'),
    result: { status: 'skip', skip: 'cannot_decide', reason: /^`podman info --format json` failed \(exit 125\)/ },
  },
  // Podman 5: netavark's version, and its firewall driver from containers.conf or, when nothing sets it, its rules.
  {
    on: gen2State('baseline-netavark-nftables.healthy'),
    passes: true,
    result: {
      summary:
        'podman 5.4.2 (rootful) uses netavark 1.14.0 with the nftables firewall driver (firewall_driver = "nftables" in /etc/containers/containers.conf.d/ndl-firewall-driver.conf)',
    },
  },
  {
    on: gen2State('baseline-netavark-iptables.healthy'),
    passes: true,
    result: { summary: /uses netavark 1\.14\.0 with the iptables firewall driver \(firewall_driver = "iptables" in / },
  },
  {
    on: gen2State('baseline-podman-netavark.healthy'),
    passes: true,
    result: {
      summary:
        'podman 5.4.2 (rootful) uses netavark 1.14.0 with the nftables firewall driver (no firewall_driver in containers.conf; its rules are in table inet netavark)',
    },
  },
  // Rootless, netavark's rules live in the user's network namespace: the default stays unknown, and it says so.
  {
    on: gen2State('baseline-rootless.healthy'),
    passes: true,
    result: { summary: /^podman 5\.4\.2 \(rootless\) uses netavark 1\.14\.0; its firewall driver is not known \(/ },
  },
]);
