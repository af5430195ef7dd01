import { OVERRIDE_CONTAINERS_CONF, containersConf } from '../../src/facts/containers-conf.js';
import { dockerDaemon, restartDockerdCommands } from '../../src/facts/docker-daemon.js';
import { dockerState } from '../../src/facts/docker.js';
import type { Facts } from '../../src/core/facts.js';
import { systemdRunning } from '../../src/facts/files.js';
import { podmanDnsSettings } from '../../src/facts/podman-dns.js';
import { podmanState } from '../../src/facts/podman.js';
import {
  hostResolvConf,
  isLoopbackNameserver,
  resolvConfFile,
  upstreamSource,
  type ResolvConf,
} from '../../src/facts/resolv.js';
import { fileEvidence, findingBuilder } from '../../src/core/finding.js';
import { cannotDecide, notApplicable, verdict } from '../../src/core/outcome.js';
import type { Evidence } from '../../src/core/types.js';
import type { Check, FindingCatalog } from '../../src/core/check.js';
import { shellLine, writeFileLine } from '../../src/core/shell.js';

const UPSTREAM_PLACEHOLDER = 'UPSTREAM_DNS_IP';

/** What one engine gives containers instead of the host's loopback nameservers, or why it gives them nothing usable. */
type EngineVerdict =
  | { engine: 'docker' | 'podman'; covered: true; how: string }
  | { engine: 'docker' | 'podman'; covered: false; evidence: Evidence[]; fix: string[]; manual?: string };

async function followStub(
  facts: Facts,
  hostFile: ResolvConf,
  engine: 'docker' | 'podman',
): Promise<string | undefined> {
  const source = upstreamSource(hostFile, engine);
  if (source === undefined) return undefined;
  const upstreams = await facts.get(resolvConfFile(source));
  if (!upstreams.ok) return undefined;
  const usable = upstreams.value.nameservers.filter((server) => !isLoopbackNameserver(server));
  return usable.length > 0 ? `${engine} reads ${source} instead: ${usable.join(', ')}` : undefined;
}

async function podmanVerdict(facts: Facts, hostFile: ResolvConf): Promise<EngineVerdict> {
  const [settings, conf] = await Promise.all([facts.get(podmanDnsSettings), facts.get(containersConf)]);
  if (settings.dnsServers.length > 0)
    return {
      engine: 'podman',
      covered: true,
      how: `dns_servers = ${JSON.stringify(settings.dnsServers)} in ${settings.origin.dnsServers}`,
    };
  const stub = await followStub(facts, hostFile, 'podman');
  if (stub !== undefined) return { engine: 'podman', covered: true, how: stub };
  const { context } = facts.host;
  const evidence: Evidence[] = [
    { source: 'file', what: conf.files.join(' ') || 'containers.conf', excerpt: 'no [containers] dns_servers' },
  ];
  // CONTAINERS_CONF replaces the whole chain, drop-in folders included: only that file can carry the setting.
  if (context.env.CONTAINERS_CONF)
    return {
      engine: 'podman',
      covered: false,
      evidence,
      fix: [],
      manual: `add dns_servers = ["${UPSTREAM_PLACEHOLDER}"] to the [containers] table of ${context.env.CONTAINERS_CONF}`,
    };
  const dropInDir =
    context.uid === 0
      ? `${OVERRIDE_CONTAINERS_CONF}.d`
      : `${context.env.XDG_CONFIG_HOME || `${context.home}/.config`}/containers/containers.conf.d`;
  return {
    engine: 'podman',
    covered: false,
    evidence,
    fix: [
      shellLine(['mkdir', '-p', dropInDir]),
      writeFileLine(`${dropInDir}/50-dns-servers.conf`, ['[containers]', `dns_servers = ["${UPSTREAM_PLACEHOLDER}"]`]),
    ],
  };
}

async function dockerVerdict(
  facts: Facts,
  hostFile: ResolvConf,
): Promise<EngineVerdict | { engine: 'docker'; unknown: string }> {
  const daemon = await facts.get(dockerDaemon);
  if (!daemon.ok) return { engine: 'docker', unknown: daemon.reason };
  if (daemon.config.configProblem !== undefined) return { engine: 'docker', unknown: daemon.config.configProblem };
  if (daemon.config.dns.length > 0)
    return { engine: 'docker', covered: true, how: `dockerd has dns ${daemon.config.dns.join(', ')}` };
  const stub = await followStub(facts, hostFile, 'docker');
  if (stub !== undefined) return { engine: 'docker', covered: true, how: stub };
  const path = daemon.config.configPath;
  const edit = daemon.config.configExists
    ? `jq '.dns = ["${UPSTREAM_PLACEHOLDER}"]' ${path} > ${path}.new && mv ${path}.new ${path}`
    : writeFileLine(path, [`{"dns": ["${UPSTREAM_PLACEHOLDER}"]}`]);
  return {
    engine: 'docker',
    covered: false,
    evidence: [
      daemon.config.configExists
        ? fileEvidence(path, 'no "dns" key')
        : { source: 'file', what: path, excerpt: 'does not exist' },
      { source: 'process', what: `/proc/${daemon.config.process.pid}/cmdline (dockerd)`, excerpt: 'no --dns' },
    ],
    fix: [edit, ...restartDockerdCommands(daemon.config.process, await facts.get(systemdRunning))],
  };
}

const FINDINGS = {
  'dns.host_resolver_loopback_only': {
    severity: 'warning',
    title: "The host's resolv.conf lists only loopback nameservers",
    explanation:
      "Every nameserver in the host's resolv.conf is a loopback address (127.x or ::1), a local stub resolver. A container has its own network namespace, where 127.0.0.1 is the container itself, so it cannot use that resolver: podman and Docker's default bridge drop loopback nameservers from the containers' resolv.conf and, when none is left, put Google's 8.8.8.8 and 8.8.4.4 there. Containers then fail to resolve outside names wherever those are unreachable (air-gapped or corporate networks) and never see internal names that only the local resolver knows.",
    cause:
      "A local caching resolver (dnsmasq on 127.0.1.1, unbound or a VPN client on 127.0.0.1) owns the host's resolv.conf, in a form the engines do not special-case (they follow systemd-resolved's 127.0.0.53 to its upstreams only when it is the only entry).",
    fix: 'Give the engines real upstream nameservers: podman\'s dns_servers in containers.conf, Docker\'s "dns" in daemon.json (or --dns per container); or make the local resolver listen on an address containers can reach and list that.',
    docs: 'https://docs.docker.com/engine/daemon/troubleshoot/#dns-resolver-issues',
  },
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);

export default {
  id: 'dns.host-resolver',
  title: 'Host nameservers that containers can use',
  findings: FINDINGS,
  docs: 'https://docs.docker.com/engine/daemon/troubleshoot/#dns-resolver-issues',
  async run({ facts }) {
    const [docker, podman] = await Promise.all([facts.get(dockerState), facts.get(podmanState)]);
    const dockerInstalled = docker.kind !== 'absent' && docker.kind !== 'client-only';
    if (!dockerInstalled && podman.kind === 'absent') return notApplicable('no container engine is installed');
    const hostFile = await facts.get(hostResolvConf);
    if (!hostFile.ok) return cannotDecide(hostFile.reason);
    const { nameservers } = hostFile.value;
    if (nameservers.length === 0) return verdict([], `${hostFile.value.path} lists no nameserver`);
    const reachable = nameservers.filter((server) => !isLoopbackNameserver(server));
    if (reachable.length > 0)
      return verdict([], `${hostFile.value.path} lists nameservers containers can reach: ${reachable.join(', ')}`);
    const verdicts = await Promise.all([
      ...(podman.kind !== 'absent' ? [podmanVerdict(facts, hostFile.value)] : []),
      ...(dockerInstalled ? [dockerVerdict(facts, hostFile.value)] : []),
    ]);
    const limits = verdicts.flatMap((engine) => ('unknown' in engine ? [`docker: ${engine.unknown}`] : []));
    const decided = verdicts.filter((engine): engine is EngineVerdict => !('unknown' in engine));
    const affected = decided.filter((engine): engine is Extract<EngineVerdict, { covered: false }> => !engine.covered);
    const covered = decided.flatMap((engine) => (engine.covered ? [engine.how] : []));
    const summary = `${hostFile.value.path}: only loopback nameservers (${nameservers.join(', ')}); ${covered.join('; ') || 'no engine has nameservers of its own'}`;
    if (affected.length === 0)
      return decided.length === 0 ? cannotDecide(limits.join('; ')) : verdict([], summary, limits);
    const who = affected
      .map((engine) => (engine.engine === 'docker' ? "docker's default bridge" : 'podman'))
      .join(' and ');
    return verdict(
      [
        finding('dns.host_resolver_loopback_only', {
          subject:
            affected.length === 1
              ? { path: hostFile.value.path, engine: affected[0]!.engine }
              : { path: hostFile.value.path },
          title: `The host's only nameservers (${nameservers.join(', ')}) are loopback addresses containers cannot reach`,
          detail: `Affected: ${who}, which ha${affected.length > 1 ? 've' : 's'} no nameservers of its own. Docker's user-defined networks are not affected: their embedded DNS forwards from the host.`,
          evidence: [
            fileEvidence(hostFile.value.path, hostFile.value.excerpt),
            ...affected.flatMap((engine) => engine.evidence),
          ],
          fix: {
            commands: affected.flatMap((engine) => engine.fix),
            summary: `Give ${who} the real upstream nameserver that the local resolver forwards to (replace ${UPSTREAM_PLACEHOLDER}${affected.flatMap((engine) => (engine.manual ? [`; ${engine.manual}`] : [])).join('')}), then recreate the containers; or make the local resolver also listen on an address containers can reach.`,
          },
        }),
      ],
      summary,
      limits,
    );
  },
} satisfies Check;
