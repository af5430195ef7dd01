import check from '../../../checks/mixed/docker-forward-podman-ingress.js';
import { NEEDS_ROOT } from '../../../src/facts/firewall.js';
import { checkCases } from '../../helpers/check-cases.js';
import { NDLAB, asUser, firewallLabState, rulesetState } from '../../helpers/recordings.js';

const ID = 'mixed.docker_forward_drop_breaks_podman_ingress';

checkCases(check, [
  // A state the lab made for real: a podman port unreachable from the fake outside host while dockerd ran.
  {
    on: firewallLabState('fw-mixed-podman-ingress.broken'),
    shows: [
      {
        id: ID,
        severity: 'warning',
        subject: { engine: 'podman', network: 'ndl-f2mx', interface: 'podman2', containers: ['ndl-f2mx-web'] },
        title:
          "Podman ports published on podman network ndl-f2mx (podman2) are unreachable from other machines: docker's FORWARD DROP policy",
        fix: { commands: ['iptables -I DOCKER-USER 1 -o podman2 -m conntrack --ctstate DNAT -j ACCEPT'] },
      },
    ],
    nothingElse: true,
  },
  {
    on: firewallLabState('fw-mixed-podman-ingress.fixed'),
    gone: [{ id: ID, network: 'ndl-f2mx' }],
    result: { status: 'pass', summary: 'podman published ports: ndl-f2mx-web 18480/tcp: accept' },
  },
  // No podman container of live-root.snapshot.json publishes a port: it does not apply.
  {
    on: rulesetState(),
    result: { status: 'skip', skip: 'not_applicable', reason: 'no running rootful podman container publishes a port' },
  },
  { on: asUser(rulesetState(), NDLAB), result: { status: 'skip', skip: 'cannot_decide', reason: NEEDS_ROOT } },
  {
    on: firewallLabState('fw-iptables-backend-split.broken'),
    result: { status: 'skip', skip: 'not_applicable', reason: 'no running rootful podman container publishes a port' },
  },
]);
