import {
  dockerDaemon,
  restartDockerdCommands,
  type DaemonSwitch,
  type DockerDaemonConfig,
  type SwitchSetting,
} from '../../src/facts/docker-daemon.js';
import { dockerNetworks, dockerState } from '../../src/facts/docker.js';
import { systemdRunning } from '../../src/facts/files.js';
import { fileEvidence, findingBuilder } from '../../src/core/finding.js';
import { cannotDecide, notApplicable, verdict } from '../../src/core/outcome.js';
import type { Evidence, Finding } from '../../src/core/types.js';
import type { Check, FindingCatalog } from '../../src/core/check.js';
import { operands, shellLine } from '../../src/core/shell.js';

const MASQUERADE_OPTION = 'com.docker.network.bridge.enable_ip_masquerade';
const SWITCHES: readonly DaemonSwitch[] = ['iptables', 'ip-masq', 'ip-forward'];

function daemonFinding(
  off: { name: DaemonSwitch; setting: SwitchSetting }[],
  config: DockerDaemonConfig,
  systemd: boolean,
): Finding {
  const evidence: Evidence[] = off.map(({ setting }) =>
    setting.source === 'file'
      ? fileEvidence(config.configPath, setting.excerpt)
      : { source: 'process', what: `/proc/${config.process.pid}/cmdline (dockerd)`, excerpt: setting.excerpt },
  );
  const inFile = off.filter(({ setting }) => setting.source === 'file').map(({ name }) => `."${name}"`);
  const flags = off.filter(({ setting }) => setting.source === 'flag').map(({ setting }) => setting.excerpt);
  const commands = [
    ...(inFile.length > 0
      ? [
          `jq 'del(${inFile.join(', ')})' ${config.configPath} > ${config.configPath}.new && mv ${config.configPath}.new ${config.configPath}`,
        ]
      : []),
    ...restartDockerdCommands(config.process, systemd, flags),
  ];
  return finding('docker.iptables_or_masq_disabled', {
    subject: { engine: 'docker', scope: 'rootful' },
    title: `dockerd runs with ${off.map(({ name }) => `${name}=false`).join(', ')}`,
    evidence,
    fix: {
      commands,
      summary:
        'Remove the setting and restart dockerd (its containers stop with it) so that it programs its NAT and forwarding rules again; if the firewall is managed by hand on purpose, add the MASQUERADE and FORWARD rules for every docker network instead.',
    },
  });
}

const FINDINGS = {
  'docker.iptables_or_masq_disabled': {
    severity: 'error',
    title: 'dockerd runs with iptables, ip-masq or ip-forward turned off',
    explanation:
      'dockerd was told not to program the firewall (iptables=false), not to masquerade container traffic (ip-masq=false, or enable_ip_masquerade=false on a network), or not to turn on IP forwarding (ip-forward=false). Without its rules containers have no way out and published ports do not work; without masquerading, packets leave with container source addresses to which no reply ever comes back; without forwarding, nothing leaves the bridges once anything turns ip_forward off. Things may seem to work until a reboot or firewall reload removes what an earlier dockerd had set up.',
    cause:
      'Someone turned these off in daemon.json or on the dockerd command line to manage the firewall by hand, or to keep docker away from another firewall manager.',
    fix: 'Remove the setting and restart dockerd so that it programs its rules again; or, if the firewall is managed by hand on purpose, add the MASQUERADE, FORWARD and DNAT rules for every docker network yourself.',
    docs: 'https://docs.docker.com/engine/network/packet-filtering-firewalls/',
  },
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);

export default {
  id: 'docker.iptables',
  title: 'dockerd manages iptables, masquerading and forwarding',
  findings: FINDINGS,
  docs: 'https://docs.docker.com/engine/network/packet-filtering-firewalls/',
  async run({ facts }) {
    const docker = await facts.get(dockerState);
    if (docker.kind === 'absent' || docker.kind === 'client-only')
      return notApplicable('the docker engine is not installed');
    if (docker.kind === 'ok' && docker.info.rootless) return notApplicable('rootless docker programs no host firewall');
    const daemon = await facts.get(dockerDaemon);
    if (!daemon.ok)
      return daemon.notRunning && docker.kind !== 'ok' ? notApplicable(daemon.reason) : cannotDecide(daemon.reason);
    const { config } = daemon;
    if (config.configProblem !== undefined) return cannotDecide(config.configProblem);
    const findings: Finding[] = [];
    const off = SWITCHES.flatMap((name) => {
      const setting = config.switches[name];
      return setting !== undefined && !setting.value ? [{ name, setting }] : [];
    });
    if (off.length > 0) findings.push(daemonFinding(off, config, await facts.get(systemdRunning)));
    const limits: string[] = [];
    let networksChecked = 'networks not checked';
    if (docker.kind === 'ok') {
      const networks = await facts.get(dockerNetworks);
      if (networks.ok) {
        const unmasqueraded = networks.items.filter(
          (network) =>
            network.driver === 'bridge' && !network.internal && network.options[MASQUERADE_OPTION] === 'false',
        );
        networksChecked = `${networks.items.length} network(s), without masquerading: ${unmasqueraded.map((network) => network.name).join(', ') || 'none'}`;
        for (const network of unmasqueraded) {
          const subnets = network.subnets.flatMap((subnet) => ['--subnet', subnet.subnet]);
          findings.push(
            finding('docker.iptables_or_masq_disabled', {
              subject: {
                engine: 'docker',
                scope: 'rootful',
                network: network.name,
                ...(network.bridge ? { interface: network.bridge } : {}),
              },
              title: `Docker network "${network.name}" does not masquerade its containers' traffic`,
              detail: `Its containers' packets leave the host with their ${network.subnets.map((subnet) => subnet.subnet).join(', ')} source addresses.`,
              evidence: [
                {
                  source: 'command',
                  what: `docker network inspect ${network.name}`,
                  excerpt: `"${MASQUERADE_OPTION}": "false"`,
                },
              ],
              fix: {
                commands: [
                  shellLine(['docker', 'network', 'rm', ...operands(network.name)]),
                  shellLine(['docker', 'network', 'create', ...subnets, ...operands(network.name)]),
                ],
                summary: `Recreate "${network.name}" without -o ${MASQUERADE_OPTION}=false (disconnect its containers first and connect them again after), or add a MASQUERADE rule for its subnet yourself.`,
              },
            }),
          );
        }
      } else {
        limits.push(networks.reason);
      }
    } else {
      limits.push(docker.reason);
    }
    const switches = SWITCHES.map((name) => `${name}=${config.switches[name]?.value ?? 'true (default)'}`).join(', ');
    return verdict(findings, `dockerd pid ${config.process.pid}: ${switches}; ${networksChecked}`, limits);
  },
} satisfies Check;
