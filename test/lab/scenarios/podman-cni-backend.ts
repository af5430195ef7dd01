import { readFile } from 'node:fs/promises';
import { LabError } from '../lib/exec.js';
import type { BrokenScenario } from '../scenario.js';
import { pair, provePeers } from '../lib/traffic.js';

const NET = 'ndl-cnib';

export default {
  kind: 'broken',
  name: 'podman-cni-backend',
  ids: ['podman.backend_is_cni'],
  description:
    'rootful podman on the lab\'s CNI store (network_backend = "cni" in its containers.conf): names work, but through dnsname\'s dnsmasq, not aardvark-dns',
  identity: 'cni',
  async setup(lab) {
    await pair(lab, lab.cni, NET, ['--subnet', '10.90.210.0/24']);
  },
  async proveBroken(lab) {
    const backend = await lab.cni.must(['info', '--format', '{{.Host.NetworkBackend}}']);
    if (backend !== 'cni') throw new LabError(`podman-cni.sh reports backend ${backend}`);
    const pid = (await readFile(`/run/containers/cni/dnsname/${NET}/pidfile`, 'utf8')).trim();
    const comm = (await readFile(`/proc/${pid}/comm`, 'utf8')).trim();
    return `podman info: networkBackend cni; ${await provePeers(lab, lab.cni, NET)}, served by ${comm} (pid ${pid}, dnsname)`;
  },
  expect: () => [{ id: 'podman.backend_is_cni', severity: 'info', subject: { engine: 'podman' } }],
  fix: {
    kind: 'none',
    reason: 'info, not a fault: leaving CNI means `podman system reset --force`, which destroys the store',
  },
  restore: (lab) => lab.defaultRestore(),
} satisfies BrokenScenario;
