import { egress, expectProbe, http } from '../lib/probes.js';
import type { BrokenScenario } from '../scenario.js';
import { pair } from '../lib/traffic.js';

const NET = 'ndl-p2int';

export default {
  kind: 'broken',
  name: 'internal-network',
  ids: ['net.internal_network'],
  description:
    "docker network created --internal: its containers reach each other, 198.51.100.2 does not answer (docker, because the peers of a podman --internal network could not reach each other here while docker's FORWARD policy DROP was in force)",
  identity: 'root',
  setup: (lab) => pair(lab, lab.docker, NET, ['--internal']),
  async proveBroken(lab) {
    const peer = expectProbe(await http(lab.docker, `${NET}-a`, `http://${lab.get(`${NET}-b.ip`)}/ok`), 'pass');
    const outside = expectProbe(await egress(lab.docker, `${NET}-a`), 'fail');
    return `${peer}; ${outside}`;
  },
  expect: () => [
    {
      id: 'net.internal_network',
      severity: 'info',
      subject: { engine: 'docker', network: NET, containers: [`${NET}-a`, `${NET}-b`] },
    },
  ],
  fix: {
    kind: 'printed',
    runAs: 'identity',
    async then(lab) {
      lab.docker.trackNetwork(`${NET}-egress`);
      return `${NET}-egress tracked for cleanup`;
    },
  },
  proveFixed: async (lab) => expectProbe(await egress(lab.docker, `${NET}-a`), 'pass'),
  // The network stays internal by design: the info stays; the containers now also sit on a network with a way out.
  fixedReport: (report, _lab, stillThere) =>
    stillThere.length === 0
      ? 'the info about the internal network disappeared, although the network is still internal'
      : report.findings.some(
            (finding) => finding.id === 'net.internal_network' && (finding.subject.network ?? '') === `${NET}-egress`,
          )
        ? `${NET}-egress is reported internal`
        : undefined,
  restore: (lab) => lab.defaultRestore(),
} satisfies BrokenScenario;
