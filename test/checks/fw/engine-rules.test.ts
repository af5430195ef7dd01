import check from '../../../checks/fw/engine-rules.js';
import { NEEDS_ROOT } from '../../../src/facts/firewall.js';
import { checkCases, endingWith, firstLine } from '../../helpers/check-cases.js';
import { NDLAB, asUser, firewallLabState, hostSnapshot, rulesetState } from '../../helpers/recordings.js';

const ID = 'fw.engine_rules_flushed';

checkCases(check, [
  // States the lab broke for real (a firewall reload, `nft flush ruleset`), proven with traffic, and fixed with
  // the printed commands.
  {
    on: firewallLabState('fw-engine-rules-flushed.broken'),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: { engine: 'podman', network: 'ndl-f2fl', interface: 'podman2' },
        title: 'The netavark rules for podman network ndl-f2fl (podman2) are gone (forward-accept, masquerade)',
        fix: { commands: ['podman network reload --all'] },
      },
    ],
    nothingElse: true,
  },
  { on: firewallLabState('fw-engine-rules-flushed.fixed'), gone: [{ id: ID, network: 'ndl-f2fl' }] },
  // After `nft flush ruleset` both engines' rules are gone: each network is named with its engine's own fix.
  {
    on: firewallLabState('fw-ruleset-flushed.broken'),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: { engine: 'docker', network: 'ndl-f2rfd' },
        title: /^The docker rules for docker network ndl-f2rfd \(br-\w+\) are gone \(forward-accept, masquerade\)$/,
      },
      {
        id: ID,
        severity: 'error',
        subject: { engine: 'podman', network: 'ndl-f2rfp' },
        title: 'The netavark rules for podman network ndl-f2rfp (podman2) are gone (forward-accept, masquerade)',
        fix: { commands: ['podman network reload --all'] },
      },
    ],
    nothingElse: true,
  },
  {
    on: firewallLabState('fw-ruleset-flushed.fixed'),
    gone: [
      { id: ID, network: 'ndl-f2rfd' },
      { id: ID, network: 'ndl-f2rfp' },
    ],
  },
  // The split moved netavark's rules to iptables-legacy: they are there, and the split is fw.iptables-backend's.
  { on: firewallLabState('fw-iptables-backend-split.broken'), shows: [], nothingElse: true },
  // The rules of live-root.snapshot.json, as recorded and with the breakages record-broken-states.sh applied to them.
  { on: rulesetState(), passes: true },
  // netavark's forward accept and masquerade are missing for a network with running containers.
  {
    on: rulesetState('netavark-flushed'),
    shows: [
      {
        id: ID,
        severity: 'error',
        title: 'The netavark rules for podman network ndwhy-net (podman1) are gone (forward-accept, masquerade)',
        evidence: [
          {
            excerpt: firstLine(
              'missing: a forward rule of netavark for podman1 (NETAVARK_FORWARD), which accepts traffic from 10.89.0.24',
            ),
          },
          {
            excerpt: firstLine(
              'missing: a masquerade rule in POSTROUTING for traffic from 10.89.0.24 (network ndwhy-net) to the outside',
            ),
          },
          // The lab host has Debian's /etc/nftables.conf, which would do this whenever nftables.service starts.
          { excerpt: firstLine('flush ruleset') },
        ],
        fix: { commands: ['podman network reload --all'] },
      },
    ],
    nothingElse: true,
  },
  {
    on: rulesetState('netavark-flushed'),
    shows: [{ id: ID, severity: 'error', evidence: [{ excerpt: /\(chain NETAVARK_FORWARD has no rules\)/ }, {}, {}] }],
  },
  // After `nft flush ruleset` everything is missing, and it names the nftables.conf that does it.
  {
    on: rulesetState('ruleset-flushed'),
    shows: [
      {
        id: ID,
        severity: 'error',
        evidence: endingWith({ source: 'file', what: '/etc/nftables.conf', excerpt: 'flush ruleset' }),
        explanation: /\/etc\/nftables\.conf starts with `flush ruleset`/,
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
]);
