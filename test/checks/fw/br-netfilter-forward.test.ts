import check from '../../../checks/fw/br-netfilter-forward.js';
import { NEEDS_ROOT } from '../../../src/facts/firewall.js';
import { checkCases } from '../../helpers/check-cases.js';
import { NDLAB, asUser, firewallLabState, gen2State, hostSnapshot, rulesetState } from '../../helpers/recordings.js';

const ID = 'fw.br_netfilter_forward_drop';
const sameBridgeDropped = (network: string, bridge: string) =>
  `Containers on podman network ${network} (${bridge}) cannot reach each other: the forward hook drops their traffic`;

checkCases(check, [
  // States the lab broke for real, proven with traffic, and fixed with the printed commands.
  {
    on: firewallLabState('fw-br-netfilter-forward-drop.broken'),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: { network: 'ndl-f2br', interface: 'podman2' },
        title: sameBridgeDropped('ndl-f2br', 'podman2'),
        fix: { commands: ['nft insert rule inet ndfw forward_drop iifname "podman2" oifname "podman2" accept'] },
      },
    ],
    nothingElse: true,
  },
  { on: firewallLabState('fw-br-netfilter-forward-drop.fixed'), gone: [{ id: ID, network: 'ndl-f2br' }] },
  // A podman --internal network under docker's FORWARD DROP: netavark writes no forward accept for it.
  {
    on: firewallLabState('fw-internal-docker-drop.broken'),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: { network: 'ndl-f2in', interface: 'podman1' },
        title: sameBridgeDropped('ndl-f2in', 'podman1'),
        fix: { commands: ['iptables -I FORWARD 1 -i podman1 -o podman1 -j ACCEPT'] },
      },
    ],
    nothingElse: true,
  },
  { on: firewallLabState('fw-internal-docker-drop.fixed'), gone: [{ id: ID, network: 'ndl-f2in' }] },
  {
    on: firewallLabState('fw-foreign-forward-drop.broken'),
    shows: [{ id: ID, severity: 'error', subject: { network: 'ndl-f2fo' } }],
    nothingElse: true,
  },
  {
    on: firewallLabState('fw-engine-rules-flushed.broken'),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: { network: 'ndl-f2fl' },
        fix: { commands: ['podman network reload --all'] },
      },
    ],
    nothingElse: true,
  },
  // The split is fw.iptables-backend's finding; the drops it causes are not reported again.
  { on: firewallLabState('fw-iptables-backend-split.broken'), shows: [], nothingElse: true },
  // The rules of live-root.snapshot.json, as recorded and with the breakages record-broken-states.sh applied to them.
  { on: rulesetState(), passes: true },
  // It names the foreign forward chain that drops same-bridge traffic, and accepts the bridge there.
  {
    on: rulesetState('foreign-forward-drop'),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: { engine: 'podman', scope: 'rootful', network: 'ndwhy-net', interface: 'podman1' },
        evidence: [
          { source: 'file', what: '/proc/sys/net/bridge/bridge-nf-call-iptables', excerpt: '1' },
          {
            source: 'command',
            what: 'nft -j list ruleset',
            excerpt:
              'table inet ndfw, chain forward_drop: chain forward_drop { type filter hook forward priority 0; policy drop; }\n(chain forward_drop has no rules)',
          },
        ],
        fix: { commands: ['nft insert rule inet ndfw forward_drop iifname "podman1" oifname "podman1" accept'] },
      },
    ],
    nothingElse: true,
  },
  // When docker's FORWARD policy drops because netavark's accepts are gone, the fix is the engine's lost rules.
  {
    on: rulesetState('netavark-flushed'),
    shows: [
      {
        id: ID,
        severity: 'error',
        evidence: [{}, { excerpt: /^table ip filter, chain FORWARD: :FORWARD DROP\n-A FORWARD -j DOCKER-USER/ }],
        fix: {
          summary: 'Make netavark write its rules for the network again.',
          commands: ['podman network reload --all'],
        },
      },
    ],
    nothingElse: true,
  },
  { on: asUser(rulesetState(), NDLAB), result: { status: 'skip', skip: 'cannot_decide', reason: NEEDS_ROOT } },
  {
    on: hostSnapshot('healthy-rootful-netavark-docker'),
    result: {
      status: 'skip',
      skip: 'not_applicable',
      reason: /^no rootful bridge network \(docker or rootful podman\) has a running container/,
    },
  },
  // Generation 2: docker 26's FORWARD DROP policy, netavark's nftables driver: two containers on one podman bridge
  // lose each other (the lab proved it) until the printed accept.
  {
    on: gen2State('fw-docker-drop-netavark-nftables.broken'),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: { engine: 'podman', network: 'ndl-f2nft', interface: 'podman1' },
        title: sameBridgeDropped('ndl-f2nft', 'podman1'),
        fix: { commands: ['iptables -I FORWARD 1 -i podman1 -o podman1 -j ACCEPT'] },
      },
    ],
    nothingElse: true,
  },
  { on: gen2State('fw-docker-drop-netavark-nftables.fixed'), gone: [ID] },
  { on: gen2State('baseline-netavark-nftables.healthy'), passes: true },
  { on: gen2State('baseline-netavark-iptables.healthy'), passes: true },
  { on: gen2State('baseline-docker-podman.healthy'), passes: true },
]);
