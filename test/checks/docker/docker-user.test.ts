import check from '../../../checks/docker/docker-user.js';
import { NEEDS_ROOT } from '../../../src/facts/firewall.js';
import { checkCases, startingWith } from '../../helpers/check-cases.js';
import { NDLAB, asUser, firewallLabState, hostSnapshot, rulesetState } from '../../helpers/recordings.js';

const ID = 'docker.docker_user_drop';
const CATCH_ALL = 'Rule 1 of DOCKER-USER drops container traffic (same-bridge, to-outside, reply-from-outside)';

checkCases(check, [
  // A state the lab broke for real, proven with traffic, and fixed with the printed commands.
  {
    on: firewallLabState('fw-docker-user-drop.broken'),
    shows: [
      {
        id: ID,
        severity: 'error',
        subject: { engine: 'docker', network: 'ndl-f2du', interface: 'br-ed5255e0547c' },
        title: CATCH_ALL,
        fix: {
          commands: [
            'iptables -I DOCKER-USER 1 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
            'iptables -I DOCKER-USER 2 -i br-ed5255e0547c -j ACCEPT',
          ],
        },
      },
    ],
    nothingElse: true,
  },
  { on: firewallLabState('fw-docker-user-drop.fixed'), gone: [{ id: ID, network: 'ndl-f2du' }] },
  { on: firewallLabState('fw-iptables-backend-split.broken'), shows: [], nothingElse: true },
  // The rules of live-root.snapshot.json, as recorded and with the breakages record-broken-states.sh applied to them.
  { on: rulesetState(), passes: true },
  // The catch-all drop in DOCKER-USER hits podman containers too; replies and the bridge are accepted first.
  {
    on: rulesetState('docker-user-drop'),
    shows: [
      {
        id: ID,
        severity: 'error',
        title: CATCH_ALL,
        evidence: startingWith({
          source: 'command',
          what: 'iptables-nft-save',
          excerpt:
            'table ip filter, chain DOCKER-USER, rule 1: -A DOCKER-USER -j DROP (reached through FORWARD → DOCKER-USER)',
        }),
        fix: {
          commands: [
            'iptables -I DOCKER-USER 1 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
            'iptables -I DOCKER-USER 2 -i podman1 -j ACCEPT',
          ],
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
]);
