import check from '../../../checks/fw/input-dns.js';
import { NEEDS_ROOT } from '../../../src/facts/firewall.js';
import { checkCases, startingWith } from '../../helpers/check-cases.js';
import { NDLAB, asUser, firewallLabState, hostSnapshot, rulesetState } from '../../helpers/recordings.js';

const ID = 'fw.input_drop_blocks_bridge_dns';

checkCases(check, [
  // A state the lab broke for real, proven with lookups that failed, and fixed with the printed commands.
  {
    on: firewallLabState('fw-input-drop-dns.broken'),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: { network: 'ndl-f2dns', interface: 'podman2' },
        title:
          "DNS queries from podman network ndl-f2dns (podman2) to 10.89.1.1:53 are dropped by the host's input hook",
        fix: {
          commands: [
            'nft insert rule inet ndfw input iifname "podman2" udp dport 53 accept',
            'nft insert rule inet ndfw input iifname "podman2" tcp dport 53 accept',
          ],
        },
      },
    ],
    nothingElse: true,
  },
  { on: firewallLabState('fw-input-drop-dns.fixed'), gone: [{ id: ID, network: 'ndl-f2dns' }] },
  {
    on: firewallLabState('fw-iptables-backend-split.broken'),
    result: {
      status: 'skip',
      skip: 'not_applicable',
      reason: /^no rootful podman network with DNS has a running container/,
    },
  },
  // The rules of live-root.snapshot.json, as recorded and with the breakages record-broken-states.sh applied to them.
  { on: rulesetState(), passes: true },
  // It names the input chain that drops queries to aardvark-dns on the gateway.
  {
    on: rulesetState('inet-input-drop'),
    shows: [
      {
        id: ID,
        severity: 'error',
        title:
          "DNS queries from podman network ndwhy-net (podman1) to 10.89.0.1:53 are dropped by the host's input hook",
        evidence: startingWith({
          excerpt:
            'table inet filter, chain input: chain input { type filter hook input priority 0; policy drop; }\nct state { established, related } accept\niif lo accept',
        }),
        fix: {
          commands: [
            'nft insert rule inet filter input iifname "podman1" udp dport 53 accept',
            'nft insert rule inet filter input iifname "podman1" tcp dport 53 accept',
          ],
        },
      },
    ],
    nothingElse: true,
  },
  { on: rulesetState('inet-input-accepted'), passes: true },
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
