import {
  deciderEvidence,
  evaluateNetworkPath,
  firewallInputs,
  firewallVerdict,
  networkLabel,
  networkSubject,
} from '../../src/check-support/firewall.js';
import type { Decider, FirewallModel } from '../../src/netfilter/model.js';
import { evaluatePath, hostPortPath, publishedPortPath, type PathEvaluation } from '../../src/netfilter/paths.js';
import { fileEvidence, findingBuilder } from '../../src/core/finding.js';
import { notApplicable } from '../../src/core/outcome.js';
import { shellLine } from '../../src/core/shell.js';
import type { Finding } from '../../src/core/types.js';
import type { Check, FindingCatalog } from '../../src/core/check.js';

const DOCS = 'https://docs.docker.com/engine/network/packet-filtering-firewalls/#docker-and-ufw';
const UFW_CONF = '/etc/ufw/ufw.conf';
/** ufw's own chains are all named ufw-... (ufw6-... for IPv6). */
const UFW_CHAIN = /^ufw6?-/;

const FINDINGS = {
  'fw.ufw_bypassed_by_published_ports': {
    severity: 'warning',
    title: 'Published ports are reachable from outside although ufw denies them',
    explanation:
      "ufw filters the host's INPUT chain: its deny rules and its default \"deny (incoming)\" apply to connections for the host's own services. A port a container publishes is not one: the host translates the connection's destination to the container (DNAT) before filtering, so the connection crosses the FORWARD chain instead, where the engine's own rules (docker's DOCKER chain, inserted before ufw's) accept it. The port answers every machine that can reach the host, whatever ufw says: `ufw status` shows it denied, and it is not. A security surprise more than a connectivity one.",
    cause:
      'docker run -p PORT:... (or compose ports:) publishes on every address by default, on a host where ufw is meant to keep ports closed; ufw and docker each manage their own chains and neither knows of the other.',
    fix: "If only the host itself needs the port, publish it on the loopback address (-p 127.0.0.1:PORT:...). Otherwise decide in DOCKER-USER, the chain docker evaluates first and leaves to administrators: drop new connections from the uplink to the container's port (or accept only the sources ufw would), and keep the rule in /etc/ufw/after.rules so that it survives a reload.",
    docs: DOCS,
  },
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);

function ufwChainsLoaded(model: FirewallModel): boolean {
  return model.tables.some((table) => table.chains.some((chain) => UFW_CHAIN.test(chain.name)));
}

function decidedByUfw(decider: Decider | null): boolean {
  if (decider === null) return false;
  return (
    UFW_CHAIN.test(decider.chain) || decider.via.some((chain) => UFW_CHAIN.test(chain)) || decider.policy === 'drop'
  );
}

export default {
  id: 'fw.ufw',
  title: "ufw's deny rules and the containers' published ports",
  findings: FINDINGS,
  docs: DOCS,
  async run({ host, facts }) {
    const conf = await host.readFile(UFW_CONF);
    if (!conf.ok) return notApplicable(`ufw is not installed (${UFW_CONF}: ${conf.error.code})`);
    const enabled = /^\s*ENABLED\s*=\s*"?yes"?\s*$/im.test(conf.content);
    if (!enabled) return notApplicable(`ufw is installed but not enabled (${UFW_CONF} has no ENABLED=yes)`);
    const loaded = await firewallInputs(facts);
    if ('skip' in loaded) return loaded.skip;
    const { inputs } = loaded;
    const { traffic, firewall, uplink } = inputs;
    if (!ufwChainsLoaded(firewall.model))
      return notApplicable(
        `ufw is enabled in ${UFW_CONF}, but none of its chains are loaded in this network namespace`,
      );
    const findings: Finding[] = [];
    for (const network of traffic.networks) {
      const exposed: string[] = [];
      let accepted: PathEvaluation | undefined;
      let denied: PathEvaluation | undefined;
      const commands: string[] = [];
      for (const container of network.containers) {
        for (const port of container.publishedPorts) {
          // A port bound to loopback is reached from the host only.
          if (!(port.hostPort > 0) || port.hostIp?.startsWith('127.') || port.hostIp === '::1') continue;
          // ufw matches IPv4 and IPv6 separately; the IPv4 path stands for both here.
          if (port.hostIp?.includes(':')) continue;
          const protocol = port.protocol === 'udp' ? 'udp' : 'tcp';
          const forward = evaluateNetworkPath(
            inputs,
            network,
            publishedPortPath(
              { address: container.address, bridge: network.bridge },
              { protocol, port: port.containerPort },
              uplink,
              port.hostPort,
            ),
            (done) => `${container.name} ${port.hostPort}/${protocol} from outside: ${done.verdict}`,
          );
          if (forward.verdict !== 'accept') continue;
          const input = evaluatePath(firewall.model, hostPortPath(uplink, { protocol, port: port.hostPort }));
          if (input.verdict !== 'drop' || !decidedByUfw(input.decidedBy)) continue;
          accepted ??= forward;
          denied ??= input;
          exposed.push(
            `${container.name}: host port ${port.hostPort}/${protocol} → ${container.address}:${port.containerPort}`,
          );
          const chain = network.writer === 'docker' ? 'DOCKER-USER' : 'FORWARD';
          const command = shellLine([
            'iptables',
            '-I',
            chain,
            '1',
            ...(uplink !== undefined ? ['-i', uplink] : []),
            '-d',
            `${container.address}/32`,
            '-p',
            protocol,
            '--dport',
            String(port.containerPort),
            '-j',
            'DROP',
          ]);
          if (!commands.includes(command)) commands.push(command);
        }
      }
      if (exposed.length === 0 || accepted === undefined || denied === undefined) continue;
      const evidence = [fileEvidence(UFW_CONF, 'ENABLED=yes')];
      if (denied.decidedBy !== null) evidence.push(deciderEvidence(firewall.model, denied.decidedBy));
      if (accepted.decidedBy !== null) evidence.push(deciderEvidence(firewall.model, accepted.decidedBy));
      findings.push(
        finding('fw.ufw_bypassed_by_published_ports', {
          subject: networkSubject(
            network,
            network.containers.map((container) => container.name),
          ),
          title: `Ports published on ${networkLabel(network)} are reachable from outside although ufw denies them`,
          detail: `ufw would drop these connections to a service of the host, but they are forwarded to containers and accepted: ${exposed.join('; ')}.`,
          evidence,
          fix: {
            commands,
            summary: `To honour ufw's deny, drop new connections from ${uplink ?? 'the uplink'} to these containers' ports in ${network.writer === 'docker' ? "DOCKER-USER (evaluated before docker's own rules)" : "FORWARD, before the engine's rules"}, and add the same lines to /etc/ufw/after.rules (a *filter section with :DOCKER-USER - [0:0] and COMMIT) so that ufw puts them back on reload. A container recreated gets a new address: match the original port with -m conntrack --ctorigdstport PORT --ctdir ORIGINAL instead if that matters. Or, if only the host uses a port, publish it on 127.0.0.1 instead.`,
          },
        }),
      );
    }
    return firewallVerdict(inputs, findings, 'published ports against ufw: ');
  },
} satisfies Check;
