import check from '../../../checks/fw/foreign-forward.js';
import { NEEDS_ROOT } from '../../../src/facts/firewall.js';
import { checkCases } from '../../helpers/check-cases.js';
import { NDLAB, asUser, firewallLabState, gen2State, hostSnapshot, rulesetState } from '../../helpers/recordings.js';

const ID = 'fw.foreign_forward_drop';
const OUTSIDE_DROPPED = 'The drop policy of inet ndfw forward_drop drops container traffic (to-outside)';
const acceptsFor = (bridge: string) => [
  `nft insert rule inet ndfw forward_drop iifname "${bridge}" accept`,
  `nft insert rule inet ndfw forward_drop oifname "${bridge}" ct state established,related accept`,
];

checkCases(check, [
  // States the lab broke for real, proven with traffic, and fixed with the printed commands.
  {
    on: firewallLabState('fw-foreign-forward-drop.broken'),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: { network: 'ndl-f2fo', interface: 'podman2' },
        title: OUTSIDE_DROPPED,
        fix: { commands: acceptsFor('podman2') },
      },
    ],
    nothingElse: true,
  },
  { on: firewallLabState('fw-foreign-forward-drop.fixed'), gone: [{ id: ID, network: 'ndl-f2fo' }] },
  // That scenario's fix accepts only same-bridge traffic: the way out stays dropped, and is still reported.
  {
    on: firewallLabState('fw-br-netfilter-forward-drop.broken'),
    shows: [{ id: ID, severity: 'error', subject: { network: 'ndl-f2br' }, title: OUTSIDE_DROPPED }],
    nothingElse: true,
  },
  {
    on: firewallLabState('fw-br-netfilter-forward-drop.fixed'),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: { network: 'ndl-f2br' },
        title: OUTSIDE_DROPPED,
        fix: { commands: acceptsFor('podman2') },
      },
    ],
    nothingElse: true,
  },
  // Drops that come from the engine's own missing accepts, or from the split, are other checks' findings.
  { on: firewallLabState('fw-engine-rules-flushed.broken'), shows: [], nothingElse: true },
  { on: firewallLabState('fw-internal-docker-drop.broken'), shows: [], nothingElse: true },
  { on: firewallLabState('fw-iptables-backend-split.broken'), shows: [], nothingElse: true },
  // The rules of live-root.snapshot.json, as recorded and with the breakages record-broken-states.sh applied to them.
  { on: rulesetState(), passes: true },
  // It names the foreign table whose policy drops container egress, and the accepts that let it through.
  {
    on: rulesetState('foreign-forward-drop'),
    shows: [
      {
        id: ID,
        severity: 'error',
        title: OUTSIDE_DROPPED,
        subject: { network: 'ndwhy-net', interface: 'podman1' },
        fix: { commands: acceptsFor('podman1') },
      },
    ],
    nothingElse: true,
  },
  { on: rulesetState('foreign-forward-accepted'), passes: true },
  // A drop policy that only drops because the engine's accepts are gone is fw.engine_rules_flushed's.
  { on: rulesetState('netavark-flushed'), passes: true },
  { on: asUser(rulesetState(), NDLAB), result: { status: 'skip', skip: 'cannot_decide', reason: NEEDS_ROOT } },
  {
    on: hostSnapshot('healthy-rootful-netavark-docker'),
    result: {
      status: 'skip',
      skip: 'not_applicable',
      reason: /^no rootful bridge network \(docker or rootful podman\) has a running container/,
    },
  },
  // Generation 2: dockerd 26 set ip filter FORWARD's policy to DROP, netavark's nftables driver accepts podman's
  // traffic only in table inet netavark: the way out is dropped (the lab proved it), and the accepts in
  // DOCKER-USER that it prints bring it back.
  {
    on: gen2State('fw-docker-drop-netavark-nftables.broken'),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: { engine: 'podman', network: 'ndl-f2nft', interface: 'podman1' },
        title: "Docker's FORWARD DROP policy drops the outgoing traffic of podman network ndl-f2nft (podman1)",
        explanation: /netavark accepts this traffic only in table inet netavark/,
        fix: {
          commands: [
            'iptables -I DOCKER-USER 1 -i podman1 -j ACCEPT',
            'iptables -I DOCKER-USER 1 -o podman1 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
          ],
        },
      },
    ],
    nothingElse: true,
  },
  { on: gen2State('fw-docker-drop-netavark-nftables.fixed'), gone: [ID] },
  { on: gen2State('baseline-netavark-nftables.healthy'), passes: true },
  { on: gen2State('baseline-netavark-iptables.healthy'), passes: true },
  { on: gen2State('baseline-docker-podman.healthy'), passes: true },
  { on: gen2State('baseline-docker.healthy'), passes: true },
]);
