import type { BaselineScenario } from '../scenario.js';
import { conflistPlugins, pair, proveHealthyPair } from '../lib/traffic.js';

const NET = 'ndl-bcni';

export default {
  kind: 'baseline',
  name: 'baseline-podman-cni',
  description:
    "rootful podman on the CNI store: a dnsname network whose dnsmasq resolves the containers' names; egress through NAT",
  identity: 'cni',
  async setup(lab) {
    await pair(lab, lab.cni, NET, ['--subnet', '10.90.213.0/24']);
  },
  async proveHealthy(lab) {
    const plugins = await conflistPlugins(NET);
    if (!plugins.includes('dnsname')) throw new Error(`${NET}.conflist has no dnsname plugin: ${plugins.join(', ')}`);
    return `${await proveHealthyPair(lab, lab.cni, NET)}; plugins ${plugins.join(',')}`;
  },
  restore: (lab) => lab.defaultRestore(),
} satisfies BaselineScenario;
