import check from '../../../checks/fw/iptables-backend.js';
import { NEEDS_ROOT } from '../../../src/facts/firewall.js';
import { checkCases, containing, startingWith, firstLine } from '../../helpers/check-cases.js';
import { NDLAB, asUser, firewallLabState, rulesetState } from '../../helpers/recordings.js';

const ID = 'fw.iptables_backend_split';

checkCases(check, [
  // A state the lab made for real in a network namespace of its own: netavark under iptables-legacy, docker
  // under iptables-nft.
  {
    on: firewallLabState('fw-iptables-backend-split.broken'),
    shows: [
      {
        id: ID,
        severity: 'warning',
        subject: {},
        title: 'Firewall rules are split between iptables-nft and iptables-legacy',
        explanation: containing(
          'podman network ndl-f2sp (podman1) to the outside, by the drop policy of ip filter FORWARD (iptables-nft-save), while NETAVARK_FORWARD is in iptables-legacy',
          'between its containers',
        ),
      },
    ],
    nothingElse: true,
  },
  { on: firewallLabState('fw-iptables-backend-split.fixed'), gone: [ID] },
  // The rules of live-root.snapshot.json, as recorded and with netavark's rules moved to iptables-legacy.
  { on: rulesetState(), passes: true },
  // It warns when netavark writes to iptables-legacy while docker drops in iptables-nft, and says what it drops.
  {
    on: rulesetState('backend-split'),
    shows: [
      {
        id: ID,
        severity: 'warning',
        explanation: containing(
          'Engine chains: CNI, docker, netavark in iptables-nft; netavark in iptables-legacy.',
          'podman network ndwhy-net (podman1) to the outside, by the drop policy of ip filter FORWARD (iptables-nft-save), while NETAVARK_FORWARD is in iptables-legacy',
        ),
        evidence: startingWith({ excerpt: firstLine('# Warning: iptables-legacy tables present') }),
        fix: {
          commands: [
            'update-alternatives --set iptables /usr/sbin/iptables-nft',
            'update-alternatives --set ip6tables /usr/sbin/ip6tables-nft',
            'iptables-legacy -t nat -F',
            'iptables-legacy -t nat -X',
            'iptables-legacy -t filter -F',
            'iptables-legacy -t filter -X',
            'podman network reload --all',
          ],
        },
      },
    ],
    nothingElse: true,
  },
  { on: asUser(rulesetState(), NDLAB), result: { status: 'skip', skip: 'cannot_decide', reason: NEEDS_ROOT } },
]);
