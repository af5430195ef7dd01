import type { Lab } from '../lib/lab.js';
import { LabError } from '../lib/exec.js';
import { egress, expectProbe } from '../lib/probes.js';
import type { BrokenScenario } from '../scenario.js';
import { pair, proveEgressOnlyBroken } from '../lib/traffic.js';

const NET = 'ndl-fwdd';
const HARDENING = '/etc/sysctl.d/90-ndl-hardening.conf';
const PERSIST = '/etc/sysctl.d/99-container-forwarding.conf';
const IP_FORWARD = '/proc/sys/net/ipv4/ip_forward';

/** Another session's `podman run` turns forwarding back on: apply the hardening file again. */
async function reassert(lab: Lab): Promise<string | undefined> {
  if ((await lab.readHostFile(IP_FORWARD))?.trim() === '0') return undefined;
  await lab.mustRoot(['sysctl', '-p', HARDENING]);
  return `ip_forward was 1 again: \`sysctl -p ${HARDENING}\` re-applied`;
}

export default {
  kind: 'broken',
  name: 'ip-forward-sysctl-d',
  ids: ['host.ip_forward_disabled'],
  description: `docker containers running, then a hardening file ${HARDENING} (net.ipv4.ip_forward = 0) applied with \`sysctl -p FILE\`; the fix must also survive re-applying the files in \`sysctl --system\` order`,
  identity: 'root',
  generations: [1, 2],
  environment: ['docker'],
  async setup(lab) {
    await pair(lab, lab.docker, NET);
    expectProbe(await egress(lab.docker, `${NET}-a`), 'pass');
    await lab.guard.writeFile(HARDENING, '# netdoctor lab: what a hardening profile ships\nnet.ipv4.ip_forward = 0\n');
    await lab.mustRoot(['sysctl', '-p', HARDENING]);
  },
  proveBroken: (lab) => proveEgressOnlyBroken(lab, lab.docker, NET, () => reassert(lab)),
  reassert,
  expect: () => [{ id: 'host.ip_forward_disabled', severity: 'error', title: /net\.ipv4\.ip_forward = 0/ }],
  fix: { kind: 'printed', runAs: 'root' },
  async proveFixed(lab) {
    const now = expectProbe(await egress(lab.docker, `${NET}-a`), 'pass');
    // The persisted file must win over the hardening one at the next `sysctl --system` (lexical order).
    await lab.mustRoot(['sysctl', '-p', HARDENING]);
    await lab.mustRoot(['sysctl', '-p', PERSIST]);
    const value = (await lab.readHostFile(IP_FORWARD))?.trim();
    if (value !== '1') throw new LabError(`after re-applying ${HARDENING} then ${PERSIST}, ip_forward is ${value}`);
    const again = expectProbe(await egress(lab.docker, `${NET}-a`), 'pass');
    return `${now}; after re-applying 90-ndl-hardening then 99-container-forwarding (sysctl --system order) ip_forward stays 1 and ${again.replace(`${NET}-a `, '')}`;
  },
  restore: (lab) => lab.defaultRestore(),
} satisfies BrokenScenario;
