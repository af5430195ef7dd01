import { containersConfDocuments } from '../../src/facts/containers-conf.js';
import { dnsUpstreams, type UpstreamPath, type UpstreamUse } from '../../src/facts/dns-upstreams.js';
import { describeLookup, findExecutable, systemSearchPath } from '../../src/facts/files.js';
import { isLoopbackNameserver } from '../../src/facts/resolv.js';
import { commandEvidence } from '../../src/facts/docker.js';
import { PROBE_RUN_TIMEOUT_MS, inNetworkNamespace, interpretLookup, lookupArgv } from '../../src/pair/probes.js';
import { fileEvidence, findingBuilder } from '../../src/core/finding.js';
import { cannotDecide, notApplicable, verdict } from '../../src/core/outcome.js';
import { operands, shellLine } from '../../src/core/shell.js';
import type { Evidence, Finding } from '../../src/core/types.js';
import type { Check, FindingCatalog } from '../../src/core/check.js';

const DOCS = 'https://docs.docker.com/engine/network/#dns-services';
/** A reserved name (RFC 6761): any answer, NXDOMAIN included, shows the server is there. */
const PROBE_NAME = 'netdoctor.invalid';

const FINDINGS = {
  'dns.upstream_unreachable': {
    severity: 'error',
    title: 'The DNS servers containers depend on cannot be reached from their networks',
    explanation:
      "Containers resolve outside names through the servers their engine gives them: listed in the container's resolv.conf (the host's nameservers, containers.conf dns_servers, docker's daemon.json dns, --dns), or behind the engine's own DNS server (docker's embedded DNS asks them from the container's namespace; aardvark-dns and dnsname's dnsmasq from the host's). A server that cannot be reached over that path leaves every lookup of an outside name to time out, although the same server may answer the host itself: a VPN or a route that only the host's own traffic takes, a firewall that drops forwarded DNS, a loopback address that is the container's own inside its namespace, or a server that is gone.",
    cause:
      "Split-DNS VPNs and policy routing that carry only the host's own traffic; --dns 127.0.0.1 or a loopback resolver; dns_servers or daemon.json dns left pointing at a retired server; a firewall on the way to the server.",
    fix: 'Give the containers servers they can reach (remove or correct the setting that names the dead server, or name one reachable from the container network), or make the server reachable from the container networks (route or firewall); then restart the containers so that they get the new servers.',
    docs: DOCS,
  },
} satisfies FindingCatalog;

const finding = findingBuilder(FINDINGS);

interface Probe {
  server: string;
  path: UpstreamPath;
  /** reachable, unreachable, or undecided with why. */
  state: 'reachable' | 'unreachable' | 'undecided';
  detail: string;
  evidence: Evidence[];
}

function pathKey(server: string, path: UpstreamPath): string {
  return `${server}\u0000${path.kind}`;
}

function pathText(path: UpstreamPath): string {
  return path.kind === 'container' ? `from ${path.container}'s network namespace` : `from the host (${path.forwarder})`;
}

export default {
  id: 'dns.upstream',
  title: "Reachability of the containers' upstream DNS servers",
  findings: FINDINGS,
  docs: DOCS,
  async run({ host, facts, probes }) {
    const upstreams = await facts.get(dnsUpstreams);
    if (upstreams.containers.length === 0) {
      if (upstreams.limits.length > 0) return cannotDecide(upstreams.limits.join('; '));
      return notApplicable('no running container has a network of its own to resolve names from');
    }
    const uses = upstreams.containers.flatMap((entry) => entry.uses);
    if (uses.length === 0) return verdict([], 'the running containers name no upstream DNS server', upstreams.limits);
    const limits = [...upstreams.limits];
    const probed = new Map<string, Probe>();
    const busybox = probes?.dns ? await findExecutable(host, 'busybox', systemSearchPath(host.context)) : undefined;
    if (busybox !== undefined && !busybox.found?.executable)
      limits.push(`the DNS probes run busybox from the host, and there is none (${describeLookup(busybox)})`);
    for (const use of uses) {
      const key = pathKey(use.server, use.path);
      if (probed.has(key)) continue;
      if (use.path.kind === 'container' && isLoopbackNameserver(use.server)) {
        probed.set(key, {
          server: use.server,
          path: use.path,
          state: 'unreachable',
          detail: `${use.server} is a loopback address: inside ${use.path.container}'s network namespace it is the container's own loopback, where no DNS server listens`,
          evidence: [],
        });
        continue;
      }
      if (busybox?.found?.executable !== true) continue;
      const argv = lookupArgv(busybox.found.path, PROBE_NAME, use.server);
      const result = await host.run(
        use.path.kind === 'container' ? inNetworkNamespace({ pid: use.path.pid, scope: use.path.scope }, argv) : argv,
        { timeoutMs: PROBE_RUN_TIMEOUT_MS },
      );
      const lookup = interpretLookup(result);
      const evidence = [commandEvidence(result, `${lookup.outcome}: ${lookup.detail}`)];
      const state =
        lookup.outcome === 'no_answer' || lookup.outcome === 'refused'
          ? 'unreachable'
          : lookup.outcome === 'error'
            ? 'undecided'
            : 'reachable';
      if (state === 'undecided') limits.push(`${use.server} ${pathText(use.path)}: ${lookup.detail}`);
      probed.set(key, { server: use.server, path: use.path, state, detail: lookup.detail, evidence });
    }
    // A container whose lookups still reach one server (the resolver tries the next) only waits: the error is a
    // container with none left.
    const stranded = upstreams.containers.filter(
      (entry) =>
        entry.uses.length > 0 &&
        entry.uses.every((use) => probed.get(pathKey(use.server, use.path))?.state === 'unreachable'),
    );
    const findings: Finding[] = [];
    const documents = await facts.get(containersConfDocuments);
    const reported = new Set<string>();
    for (const entry of stranded) {
      for (const use of entry.uses) {
        const key = pathKey(use.server, use.path);
        if (reported.has(key)) continue;
        reported.add(key);
        const probe = probed.get(key)!;
        const consumers = stranded.filter((other) =>
          other.uses.some((candidate) => pathKey(candidate.server, candidate.path) === key),
        );
        const names = consumers.map((other) => other.container.name);
        const same = uses.filter((candidate) => pathKey(candidate.server, candidate.path) === key);
        const origins = [...new Set(same.map((candidate) => candidate.origin))];
        const fix = fixFor(use, origins, names, documents.documents);
        findings.push(
          finding('dns.upstream_unreachable', {
            subject: {
              engine: entry.container.engine,
              scope: entry.container.scope,
              containers: names,
            },
            title: `DNS server ${use.server} does not answer ${pathText(use.path)}: ${names.join(', ')} cannot resolve outside names`,
            detail: `${names.join(', ')} ask it ${[...new Set(same.map((candidate) => candidate.via))].join('; ')}; it comes from ${origins.join(' and ')}. ${probe.detail}.`,
            evidence: [
              fileEvidence(entry.resolvConf, entry.nameservers.map((server) => `nameserver ${server}`).join('\n')),
              ...probe.evidence,
            ],
            fix,
          }),
        );
      }
    }
    const answered = [...probed.values()].filter((probe) => probe.state === 'reachable');
    const dead = [...probed.values()].filter(
      (probe) => probe.state === 'unreachable' && !reported.has(pathKey(probe.server, probe.path)),
    );
    const servers = [...new Set(uses.map((use) => use.server))];
    const summary = [
      `${servers.length} upstream server(s) for ${upstreams.containers.length} container(s): ${servers.join(', ')}`,
      probes?.dns
        ? `answered: ${answered.map((probe) => `${probe.server} ${pathText(probe.path)}`).join('; ') || 'none'}`
        : 'not asked (--probe-dns sends one query to each)',
      ...(dead.length > 0
        ? [
            `no answer, but another server still answers these containers: ${dead.map((probe) => probe.server).join(', ')}`,
          ]
        : []),
    ].join('; ');
    return verdict(findings, summary, limits);
  },
} satisfies Check;

/** The commands that take a dead server out of the containers' configuration, where one place names it. */
function fixFor(
  use: UpstreamUse,
  origins: string[],
  containers: string[],
  documents: { path: string; data: Record<string, unknown> }[],
): { commands: string[]; summary: string } {
  const restart = (engine: string) => shellLine([engine, 'restart', ...operands(...containers)]);
  const engine = use.path.kind === 'container' ? use.path.engine : 'podman';
  const [origin = ''] = origins;
  const dropIn = /^dns_servers of (\S+)$/.exec(origin)?.[1];
  if (origins.length === 1 && dropIn !== undefined) {
    const document = documents.find((candidate) => candidate.path === dropIn);
    const onlyDns =
      document !== undefined &&
      Object.keys(document.data).length === 1 &&
      Object.keys((document.data.containers ?? {}) as Record<string, unknown>).length === 1;
    if (onlyDns)
      return {
        commands: [shellLine(['rm', '-f', dropIn]), restart('podman')],
        summary: `${dropIn} only sets dns_servers = ["${use.server}"], which the containers cannot reach: remove it, so that podman gives them the host's servers again, and restart the containers, whose resolv.conf podman writes at each start.`,
      };
    return {
      commands: [restart('podman')],
      summary: `Edit dns_servers in ${dropIn}: replace ${use.server} with a server the container networks reach (or remove the line to use the host's servers), then restart the containers.`,
    };
  }
  if (origin.startsWith('--dns of '))
    return {
      commands: [],
      summary: `The containers were created with --dns ${use.server}: recreate them with a server their network reaches (or without --dns).`,
    };
  if (origin.startsWith('dns of '))
    return {
      commands: [],
      summary: `Change "dns" in ${origin.slice('dns of '.length)} to servers the container networks reach, restart dockerd, then restart the containers.`,
    };
  return {
    commands: [restart(engine)],
    summary: `${use.server} comes from ${origin}: the host may reach it by a way container traffic does not take (a VPN or policy route, a firewall on the forward path). Make it reachable from the container networks, or give the engine servers they reach (containers.conf dns_servers, daemon.json dns), then restart the containers.`,
  };
}
