import { LabError, brief, ok } from '../lib/exec.js';
import type { Lab } from '../lib/lab.js';
import { pair, proveHealthyPair } from '../lib/traffic.js';
import type { BaselineScenario } from '../scenario.js';

type Driver = 'nftables' | 'iptables';

/** A containers.conf drop-in, as an administrator pins the driver (podman reads containers.conf.d after the file). */
const DROP_IN = '/etc/containers/containers.conf.d/ndl-firewall-driver.conf';

/** Whether netavark's rules are where the driver puts them: `table inet netavark`, or NETAVARK_* iptables chains. */
async function rulesOf(lab: Lab, net: string): Promise<{ nftables: boolean; iptables: boolean; subnet: string }> {
  const subnet = await lab.podman.must([
    'network',
    'inspect',
    net,
    '--format',
    '{{range .Subnets}}{{.Subnet}} {{end}}',
  ]);
  const table = await lab.root(['nft', 'list', 'table', 'inet', 'netavark']);
  const saved = await lab.root(['iptables-save']);
  if (!ok(saved)) throw new LabError(`iptables-save: ${brief(saved)}`);
  return {
    nftables: ok(table) && table.stdout.includes(subnet.split(' ')[0]!),
    iptables: /^:NETAVARK_/m.test(saved.stdout),
    subnet: subnet.trim(),
  };
}

function driverBaseline(driver: Driver, net: string): BaselineScenario {
  return {
    kind: 'baseline',
    name: `baseline-netavark-${driver}`,
    description: `rootful podman 5 with netavark's firewall_driver = "${driver}" set in a containers.conf drop-in: names via aardvark-dns, peers, 198.51.100.2 through NAT, and netavark's rules ${driver === 'nftables' ? 'in `table inet netavark` only' : 'in NETAVARK_* iptables chains only'}`,
    identity: 'root',
    generations: [2],
    async setup(lab) {
      // Debian 13 ships no containers.conf.d folder.
      await lab.guard.tree(DROP_IN.slice(0, DROP_IN.lastIndexOf('/')));
      await lab.guard.writeFile(DROP_IN, `[network]\nfirewall_driver = "${driver}"\n`);
      await pair(lab, lab.podman, net);
    },
    async proveHealthy(lab) {
      const traffic = await proveHealthyPair(lab, lab.podman, net);
      const rules = await rulesOf(lab, net);
      const wanted = driver === 'nftables' ? rules.nftables && !rules.iptables : rules.iptables && !rules.nftables;
      if (!wanted)
        throw new LabError(
          `netavark's rules for ${rules.subnet} are not where the ${driver} driver puts them: table inet netavark ${rules.nftables ? 'has' : 'lacks'} them, iptables has ${rules.iptables ? '' : 'no '}NETAVARK_* chains`,
        );
      return `${traffic}; ${driver === 'nftables' ? `table inet netavark holds ${rules.subnet}, no NETAVARK_* iptables chains` : `NETAVARK_* iptables chains, no table inet netavark`}`;
    },
    restore: (lab) => lab.defaultRestore(),
  };
}

export const baselineNetavarkNftables = driverBaseline('nftables', 'ndl-bnft');
export const baselineNetavarkIptables = driverBaseline('iptables', 'ndl-bipt');
