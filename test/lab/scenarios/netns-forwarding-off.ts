import { readFile } from 'node:fs/promises';
import { buildTutorial, getFrom, must, pingFrom, tutorial } from '../lib/handmade.js';
import type { BrokenScenario } from '../scenario.js';

const NET = tutorial('ndl-hf', 5);

export default {
  kind: 'broken',
  name: 'netns-forwarding-off',
  ids: ['host.ip_forward_disabled'],
  description: `the tutorial's network, then \`sysctl -w net.ipv4.ip_forward=0\`: its namespaces reach each other, not the outside`,
  identity: 'root',
  async setup(lab) {
    await buildTutorial(lab, NET);
    must(await getFrom(NET.red), 'pass');
    await lab.guard.sysctl('net.ipv4.ip_forward', '0');
  },
  async proveBroken() {
    return [must(await getFrom(NET.red), 'fail'), must(await pingFrom(NET.red, NET.blueAddress), 'pass')].join('; ');
  },
  // Every `podman run` of another session turns forwarding back on.
  async reassert(lab) {
    const now = (await readFile('/proc/sys/net/ipv4/ip_forward', 'utf8')).trim();
    if (now === '0') return undefined;
    await lab.guard.sysctl('net.ipv4.ip_forward', '0');
    return 'net.ipv4.ip_forward was 1 again';
  },
  expect: () => [
    {
      id: 'host.ip_forward_disabled',
      severity: 'error',
      subject: { network: NET.bridge, namespaces: [NET.red, NET.blue] },
      title: new RegExp(
        `IPv4 forwarding is disabled \\(net\\.ipv4\\.ip_forward = 0\\): hand-made bridge ${NET.bridge}`,
      ),
    },
  ],
  // `sysctl -w net.ipv4.ip_forward=1`, the bridge's own, and the sysctl.d file (guarded by the harness).
  fix: { kind: 'printed', runAs: 'root' },
  async proveFixed() {
    return [must(await getFrom(NET.red), 'pass'), must(await getFrom(NET.blue), 'pass')].join('; ');
  },
  restore: (lab) => lab.defaultRestore(),
} satisfies BrokenScenario;
